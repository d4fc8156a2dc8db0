export * from './simple-imputer';
export * from './knn-imputer';
