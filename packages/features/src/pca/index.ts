export { PCA, FittedPCA, type PCAParams } from './pca';
