import {
  detectDateFormat,
  hasLeadingZero,
  parseBooleanLoose,
  parseBooleanWord,
  parseDate,
  parseDateIn,
  parseNumber,
  parseNumeral,
} from './value-grammar';
import { missingPredicate } from './missing-tokens';

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

describe('the one grammar: what exports write', () => {
  it('reads numerals with thousands separators, currency and percent signs, and decimal commas', () => {
    expect(parseNumeral('1,204')).toBe(1204);
    expect(parseNumeral('1,204,000.50')).toBe(1204000.5);
    expect(parseNumeral('$1,204.50')).toBe(1204.5);
    expect(parseNumeral('-$3')).toBe(-3);
    expect(parseNumeral('12 €')).toBe(12);
    expect(parseNumeral('45%')).toBe(45);
    expect(parseNumeral('3,5', ',')).toBe(3.5);
    expect(parseNumeral('1.204,5', ',')).toBe(1204.5);
    expect(parseNumeral('1 204,5', ',')).toBe(1204.5);
    for (const bad of ['1,5', '1,2,3', '$', '%', '5k', '$5%', '1e999', 'Infinity', '0x10', '12-3'])
      expect(parseNumeral(bad)).toBeUndefined();
    expect(parseNumber('1e999')).toBeUndefined();
  });

  it('reads flags in every spelling, and knows codes from numbers', () => {
    for (const t of ['yes', 'Y', 'TRUE', 't', 'On', ' y ']) expect(parseBooleanWord(t)).toBe(true);
    for (const f of ['no', 'N', 'False', 'f', 'OFF']) expect(parseBooleanWord(f)).toBe(false);
    expect(parseBooleanLoose('1')).toBe(true);
    expect(hasLeadingZero('02134')).toBe(true);
    expect(hasLeadingZero('0.5')).toBe(false);
    expect(hasLeadingZero('0')).toBe(false);
  });

  it('truncates fractions of a second and accepts ISO in any column format', () => {
    expect(parseDate('2020-01-01T00:00:00.9999Z')?.toISOString()).toBe('2020-01-01T00:00:00.999Z');
    expect(parseDate('2020-01-01 10:00:00,5')?.toISOString()).toBe('2020-01-01T10:00:00.500Z');
    expect(parseDateIn('2018-05-25', 'dmy')?.toISOString()).toBe('2018-05-25T00:00:00.000Z');
    expect(parseDateIn('25/05/2018', 'dmy')?.toISOString()).toBe('2018-05-25T00:00:00.000Z');
    expect(parseDateIn('25/05/2018', 'iso')).toBeUndefined();
  });

  it('treats blanks and the usual tokens as missing, in any case', () => {
    const missing = missingPredicate();
    for (const m of [
      '',
      ' ',
      'NA',
      'n/a',
      'N/A',
      '?',
      '-',
      'null',
      'None',
      'nan',
      ' NA ',
      '#N/A',
      null,
      undefined,
      NaN,
    ])
      expect(missing(m)).toBe(true);
    for (const v of ['0', 'no', 'Nan Goldin', '--5', 0, false]) expect(missing(v)).toBe(false);
  });
});
