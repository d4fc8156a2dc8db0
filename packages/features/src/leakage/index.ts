export { detectLeakage, type LeakageFinding, type LeakageOptions, type LeakageKind } from './detect-leakage';
export { dropLeaks } from './drop-leaks';
