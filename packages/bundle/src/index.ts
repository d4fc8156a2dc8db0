export * from './bundle';
export * from './reference';
