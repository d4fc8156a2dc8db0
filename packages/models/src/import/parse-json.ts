import { InputError } from '@campaign-ml/core';

/**
 * JSON as XGBoost writes it: standard JSON except that non-finite floats appear as the bare
 * tokens NaN, Infinity and -Infinity (e.g. the split_conditions of categorical nodes). Those
 * tokens, outside strings, become the strings "NaN", "Infinity" and "-Infinity", which `num`
 * reads back as numbers.
 */
export function parseLenientJson(text: string, what: string): unknown {
  if (typeof text !== 'string') {
    throw new InputError('INVALID_MODEL', `${what} must be given as text (the file's contents)`, {
      value: typeof text,
      expected: 'a string',
    });
  }
  const fixed = text.replace(/"(?:[^"\\]|\\.)*"|(-?)\b(NaN|Infinity)\b/g, (m, sign: string, word?: string) =>
    word ? `"${sign}${word}"` : m,
  );
  try {
    return JSON.parse(fixed);
  } catch (e) {
    throw new InputError('INVALID_MODEL', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A JSON number, or one of the strings parseLenientJson makes of NaN and the infinities; else undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return undefined;
}
