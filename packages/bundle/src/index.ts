export * from './bundle';
export * from './reference';
export { createBundleDocument, type BundleContent, type BundleIdentity } from './create-bundle-document';
