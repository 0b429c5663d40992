// Sizes of messages and their grouping into sends under a byte limit (no broker needed).
import { approximateMessageBytes, groupByBytes } from './message-size';

describe('message sizes', () => {
  it('counts value, key, header names and values, and a record’s framing', () => {
    expect(approximateMessageBytes({ value: 'abcd' })).toBe(4 + 24);
    expect(
      approximateMessageBytes({ key: 'k1', value: Buffer.from('xyz'), headers: { a: 'bb', c: Buffer.from('dd') } }),
    ).toBe(3 + 2 + 24 + (1 + 2) + (1 + 2));
  });

  it('groups messages in order under the limit, a message over it alone', () => {
    const message = (size: number) => ({ value: 'x'.repeat(size - 24) });
    const sizes = (groups: Array<Array<{ value: string }>>) => groups.map((g) => g.map((m) => m.value.length + 24));
    expect(sizes(groupByBytes([message(40), message(40), message(40)], 100, approximateMessageBytes))).toEqual([
      [40, 40],
      [40],
    ]);
    expect(
      sizes(groupByBytes([message(40), message(250), message(40), message(60)], 100, approximateMessageBytes)),
    ).toEqual([[40], [250], [40, 60]]);
    expect(groupByBytes([], 100, approximateMessageBytes)).toEqual([]);
  });
});
