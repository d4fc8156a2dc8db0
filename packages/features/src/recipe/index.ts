export * from './recommended-pipeline';
