import { MAX_NESTING_DEPTH, nestedDeeperThan } from './nesting';

/** `levels` objects, each holding the next under `k`; arrays every third level. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 3 === 0 ? [value] : { k: value };
  return value;
}

describe('nestedDeeperThan', () => {
  it('counts objects and arrays, not scalars, and stops at the limit', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan({ a: 1, b: [1, 2] }, 2)).toBe(false);
    expect(nestedDeeperThan({ a: 1, b: [1, [2]] }, 2)).toBe(true);
    expect(nestedDeeperThan(nested(MAX_NESTING_DEPTH), MAX_NESTING_DEPTH)).toBe(false);
    expect(nestedDeeperThan(nested(MAX_NESTING_DEPTH + 1), MAX_NESTING_DEPTH)).toBe(true);
  });

  it('reads a value far deeper than the stack allows without overflowing', () => {
    const deep = JSON.parse(`${'{"a":['.repeat(200000)}1${']}'.repeat(200000)}`) as unknown;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(nestedDeeperThan(deep, MAX_NESTING_DEPTH)).toBe(true);
  });
});
