/** The three kinds of prediction campaign-ml handles. */
export type Task = 'binary' | 'multiclass' | 'regression';

export const TASKS: readonly Task[] = ['binary', 'multiclass', 'regression'];

export function isTask(value: unknown): value is Task {
  return typeof value === 'string' && (TASKS as readonly string[]).includes(value);
}

export function isClassification(task: Task): task is 'binary' | 'multiclass' {
  return task !== 'regression';
}
