export {
  detectLeakage,
  type LeakageFinding,
  type LeakageOptions,
  type LeakageKind,
  type LeakageSeverity,
} from './detect-leakage';
export { dropLeaks } from './drop-leaks';
