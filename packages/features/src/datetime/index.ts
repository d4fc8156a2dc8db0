export * from './date-parts';
export * from './date-durations';
export { dateMillis, MS_PER_DAY } from './date-values';
