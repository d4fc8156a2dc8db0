import { SerializationError } from './errors';
import type { Serialized } from './contracts';
import { decodeArray, encodeArray, expectKind, load, registerLoader } from './serialization';

class Scale {
  constructor(readonly factor: Float64Array) {}
  toJSON(): Serialized {
    return { kind: 'test/Scale', version: 1, factor: encodeArray(this.factor) };
  }
  static fromJSON(json: Serialized): Scale {
    expectKind(json, 'test/Scale', 1);
    return new Scale(decodeArray(json.factor as never, 'factor'));
  }
}
registerLoader('test/Scale', Scale.fromJSON);

describe('serialization', () => {
  it('round-trips typed arrays exactly, NaN and -0 included', () => {
    const values = new Float64Array([0.1 + 0.2, NaN, -0, Infinity, 1e-310, Math.PI]);
    const back = decodeArray<Float64Array>(JSON.parse(JSON.stringify(encodeArray(values))));
    expect(Object.is(back[2], -0)).toBe(true);
    expect(Array.from(back)).toEqual(Array.from(values));
    const ints = new Int32Array([-5, 2 ** 31 - 1]);
    expect(Array.from(decodeArray<Int32Array>(encodeArray(ints)))).toEqual([-5, 2 ** 31 - 1]);
  });

  it('loads a registered kind from an object or JSON text', () => {
    const s = new Scale(new Float64Array([2, 3]));
    const text = JSON.stringify(s);
    expect(Array.from(load<Scale>(text).factor)).toEqual([2, 3]);
    expect(load<Scale>(JSON.parse(text))).toBeInstanceOf(Scale);
  });

  it('names the unknown kind, a wrong version and corrupt data', () => {
    expect(() => load({ kind: 'nope', version: 1 })).toThrow(/no loader is registered for kind "nope"/);
    expect(() => load({ kind: 'test/Scale', version: 9, factor: null })).toThrow(/version 9 is not supported/);
    expect(() => load('{not json')).toThrow(SerializationError);
    expect(() => decodeArray({ dtype: 'f64', length: 3, base64: 'AAAA' }, 'factor')).toThrow(/"factor" holds 3 bytes/);
    expect(() => registerLoader('test/Scale', () => 1)).toThrow(/already registered/);
  });
});
