// Types for ml-logistic-regression 2.x, which ships none.
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  interface LogisticRegressionTwoClasses {
    weights: Matrix | null;
    testScores(features: Matrix): number[];
  }

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    numberClasses: number;
    classifiers: LogisticRegressionTwoClasses[];
    train(X: Matrix, Y: Matrix): void;
    predict(X: Matrix): number[];
    toJSON(): Record<string, unknown>;
    static load(model: Record<string, unknown>): LogisticRegression;
  }
}
