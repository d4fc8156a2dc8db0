export type { RunStatus, StartRunOptions, Run, Tracker } from './tracker';
export { FileStore } from './file-store';
export { RestStore, TrackingServerError } from './rest-store';
export { createTracker } from './create-tracker';
