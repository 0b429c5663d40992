// Sizes of messages and their grouping into sends under a byte limit (no broker needed).
import { approximateMessageBytes, fitsOneRecordBatch, groupByBytes, messageBytes } from './message-size';

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

  it('counts UTF-8 bytes exactly, and says whether a message fits a record batch under a limit', () => {
    // 'é' is 2 bytes in UTF-8, '€' 3, a character outside the BMP 4 (two UTF-16 units).
    expect(messageBytes({ key: 'é', value: '€😀', headers: { h: Buffer.from([1, 2]), ü: 'x' } })).toBe(
      2 + 3 + 4 + (1 + 2) + (2 + 1),
    );
    const limit = 10_000;
    // Within the framing margin by length, but over it in bytes: 3,000 × '€' is 9,000 bytes.
    expect(fitsOneRecordBatch({ value: '€'.repeat(3000) }, limit)).toBe(false);
    expect(fitsOneRecordBatch({ value: 'x'.repeat(3000) }, limit)).toBe(true);
    expect(fitsOneRecordBatch({ value: 'x'.repeat(limit - 1024) }, limit)).toBe(true);
    expect(fitsOneRecordBatch({ value: 'x'.repeat(limit - 1024), key: 'k' }, limit)).toBe(false);
    expect(fitsOneRecordBatch({ value: Buffer.alloc(limit) }, limit)).toBe(false);
  });
});
