import { detectDateFormat, parseBooleanLoose, parseBooleanWord, parseDate, parseNumber } from './value-grammar';

describe('value parsing', () => {
  it('parses plain decimal numbers only', () => {
    expect(parseNumber(' 12 ')).toBe(12);
    expect(parseNumber('-3.5')).toBe(-3.5);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1e3')).toBe(1000);
    for (const bad of ['5k', '0x10', 'Infinity', '1,204', '', '-', '1.2.3']) expect(parseNumber(bad)).toBeUndefined();
  });

  it('parses boolean words, and 1/0 only loosely', () => {
    expect(parseBooleanWord('True')).toBe(true);
    expect(parseBooleanWord('NO')).toBe(false);
    expect(parseBooleanWord('1')).toBeUndefined();
    expect(parseBooleanLoose('1')).toBe(true);
    expect(parseBooleanLoose('0')).toBe(false);
    expect(parseBooleanLoose('maybe')).toBeUndefined();
  });

  it('parses ISO dates as UTC and honours offsets', () => {
    expect(parseDate('2017-06-03 16:05:54')?.toISOString()).toBe('2017-06-03T16:05:54.000Z');
    expect(parseDate('2017-06-03')?.toISOString()).toBe('2017-06-03T00:00:00.000Z');
    expect(parseDate('2017-06-03T16:05:54.25+02:00')?.toISOString()).toBe('2017-06-03T14:05:54.250Z');
    expect(parseDate('2017-06-03 16:05:54-0130')?.toISOString()).toBe('2017-06-03T17:35:54.000Z');
    expect(parseDate('2021-02-29')).toBeUndefined();
    expect(parseDate('2021-13-01')).toBeUndefined();
    expect(parseDate('2021/03/04', 'ymd-slash')?.toISOString()).toBe('2021-03-04T00:00:00.000Z');
    expect(parseDate('04.03.2021', 'dmy')?.toISOString()).toBe('2021-03-04T00:00:00.000Z');
    expect(parseDate('04/03/2021 10:30', 'mdy')?.toISOString()).toBe('2021-04-03T10:30:00.000Z');
  });

  it('detects one format per column or none', () => {
    expect(detectDateFormat(['2020-01-01', '2020-01-02 10:00'])).toBe('iso');
    expect(detectDateFormat(['2020/01/01'])).toBe('ymd-slash');
    expect(detectDateFormat(['2020-01-01', '2020/01/01'])).toBeUndefined();
    expect(detectDateFormat(['31/12/2020', '01/02/2020'])).toBe('dmy');
    expect(detectDateFormat(['12/31/2020', '01/02/2020'])).toBe('mdy');
    expect(detectDateFormat(['hello'])).toBeUndefined();
    expect(detectDateFormat([])).toBeUndefined();
  });
});
