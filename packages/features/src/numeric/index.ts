export * from './log1p-transformer';
export * from './yeo-johnson';
export * from './quantile-binner';
export * from './clipper';
export * from './plausibility-rules';
export * from './ratio';
export * from './rate-conversion';
export { brentMinimize } from './brent';
