import { coerce, isTimestampString, typeOfValue } from './column-types';

describe('column types', () => {
  it('types values the way a new column would be typed', () => {
    expect(typeOfValue(true)).toBe('boolean');
    expect(typeOfValue(42)).toBe('integer');
    expect(typeOfValue(4.2)).toBe('float');
    expect(typeOfValue(2 ** 60)).toBe('float');
    expect(typeOfValue('hello')).toBe('string');
    expect(typeOfValue('2026-01-02T03:04:05.678Z')).toBe('timestamp');
    expect(typeOfValue('2026-01-02 03:04:05+02:00')).toBe('timestamp');
    expect(typeOfValue('2026-01-02')).toBe('string');
    expect(typeOfValue('2026-13-45T99:00:00Z')).toBe('string');
  });

  it('casts what converts without ambiguity and refuses the rest', () => {
    expect(coerce(3.7, 'float', 'integer')).toEqual({ ok: true, value: 3, cast: true });
    expect(coerce('12', 'string', 'integer')).toEqual({ ok: true, value: 12, cast: true });
    expect(coerce('twelve', 'string', 'integer')).toEqual({ ok: false });
    expect(coerce(true, 'boolean', 'integer')).toEqual({ ok: false });
    expect(coerce(5, 'integer', 'float')).toEqual({ ok: true, value: 5, cast: false });
    expect(coerce(5, 'integer', 'string')).toEqual({ ok: true, value: '5', cast: true });
    expect(coerce(false, 'boolean', 'string')).toEqual({ ok: true, value: 'false', cast: true });
    expect(coerce('TRUE', 'string', 'boolean')).toEqual({ ok: true, value: true, cast: true });
    expect(coerce(1, 'integer', 'boolean')).toEqual({ ok: false });
    expect(coerce('2026-01-02', 'string', 'timestamp')).toEqual({
      ok: true,
      value: '2026-01-02T00:00:00.000Z',
      cast: true,
    });
    expect(coerce(1700000000, 'integer', 'timestamp')).toEqual({ ok: false });
    expect(coerce('2026-01-02T00:00:00Z', 'timestamp', 'integer')).toEqual({ ok: false });
    // Moments no warehouse stores are dropped (with a notice) rather than failing the load.
    expect(coerce('0000-01-01T00:00:00Z', 'string', 'timestamp')).toEqual({ ok: false });
    expect(coerce('2026-01-02T00:00:00+99:99', 'string', 'timestamp')).toEqual({ ok: false });
  });
});

describe('isTimestampString', () => {
  it.each([
    ['2026-03-01T10:00:01.000Z', true],
    ['2026-03-01T10:00:01Z', true],
    ['2026-03-01T10:00', true],
    ['2026-03-01 10:00:01.123456+02:00', true],
    ['2026-03-01T10:00:01-0500', true],
    ['2024-02-29T00:00:00Z', true],
    ['2026-02-29T00:00:00Z', false],
    ['2026-04-31T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-03-01T24:00:00Z', false],
    ['2026-03-01T23:59:60Z', false],
    ['2026-03-01T10:00:01+15:59', true],
    ['2026-03-01T10:00:01+16:00', false],
    ['2026-03-01T10:00:01-0575', false],
    ['0000-03-01T10:00:01Z', false],
    ['2026-03-01T10:00:01.Z', false],
    ['2026-03-01T10:00:01ZZ', false],
    ['2026-03-01', false],
    ['not a timestamp at all', false],
  ])('%s → %s', (value, expected) => {
    expect(isTimestampString(value)).toBe(expected);
  });
});
