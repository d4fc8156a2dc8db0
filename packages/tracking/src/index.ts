export * from './tracker';
export { FileStore, readMeta } from './file-store';
export { RestStore, TrackingServerError } from './rest-store';
export { createTracker } from './create-tracker';
