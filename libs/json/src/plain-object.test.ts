import { isPlainObject } from './plain-object';

describe('isPlainObject', () => {
  it('holds for objects, as JSON.parse makes them', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(JSON.parse('{"a":[1]}'))).toBe(true);
  });

  it('does not hold for null, arrays and scalars', () => {
    for (const value of [null, undefined, [], [{}], 'text', 1, true]) expect(isPlainObject(value)).toBe(false);
  });
});
