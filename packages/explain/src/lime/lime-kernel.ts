/**
 * LIME's default exponential kernel (lime_tabular.py): width 0.75·sqrt(features), weight
 * sqrt(exp(−d²/width²)) for a Euclidean distance d to the explained instance.
 */
export function limeKernelWidth(features: number): number {
  return 0.75 * Math.sqrt(features);
}

export function limeKernel(distance: number, width: number): number {
  return Math.sqrt(Math.exp(-(distance * distance) / (width * width)));
}
