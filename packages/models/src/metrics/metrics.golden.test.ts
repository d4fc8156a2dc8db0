import fixture from './__fixtures__/metrics.json';
import * as metrics from './index';

/**
 * Every metric against scikit-learn 1.2 (tools/fixtures/metrics.py): scalar values and curves,
 * element-wise, to 1e-9 (relative for values above 1).
 */

type Inputs = Record<string, number[]>;
interface Check {
  case: string;
  fn: string;
  args: string[];
  options: Record<string, unknown>;
  expected: number | Record<string, number[]>;
}

const inputs = fixture.inputs as unknown as Record<string, Inputs>;
const checks = fixture.checks as unknown as Check[];

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

function run(check: Check): unknown {
  const data = inputs[check.case];
  const options: Record<string, unknown> = { ...check.options };
  if (options.sampleWeight === 'sampleWeight') options.sampleWeight = data.sampleWeight;
  const fn = (metrics as unknown as Record<string, (...a: unknown[]) => unknown>)[check.fn];
  if (typeof fn !== 'function') throw new Error(`no metric named ${check.fn}`);
  return fn(...check.args.map((a) => data[a]), options);
}

function label(c: Check): string {
  return `${c.case}: ${c.fn}(${JSON.stringify(c.options)})`;
}

describe('metrics agree with scikit-learn 1.2', () => {
  it('the fixture was produced by scikit-learn 1.2', () => {
    expect(fixture.sklearn).toMatch(/^1\.2\./);
    expect(checks.length).toBeGreaterThan(150);
  });

  it.each(checks.filter((c) => typeof c.expected === 'number').map((c) => [label(c), c] as const))(
    '%s',
    (_name, check) => {
      const actual = run(check) as number;
      if (!close(actual, check.expected as number)) {
        throw new Error(`${label(check)}: got ${actual}, scikit-learn ${check.expected as number}`);
      }
    },
  );

  it.each(checks.filter((c) => typeof c.expected !== 'number').map((c) => [label(c), c] as const))(
    '%s (curve)',
    (_name, check) => {
      const actual = run(check) as Record<string, ArrayLike<number> | number[][]>;
      for (const [key, want] of Object.entries(check.expected as Record<string, number[]>)) {
        const raw = actual[key];
        const got =
          Array.isArray(raw) && Array.isArray(raw[0])
            ? (raw as number[][]).flat()
            : Array.from(raw as ArrayLike<number>);
        expect({ key, length: got.length }).toEqual({ key, length: want.length });
        got.forEach((v, i) => {
          if (!close(v, want[i])) throw new Error(`${label(check)} ${key}[${i}]: got ${v}, scikit-learn ${want[i]}`);
        });
      }
    },
  );
});
