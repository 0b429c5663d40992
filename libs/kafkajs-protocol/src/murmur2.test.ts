import { murmur2 } from './kafkajs-modules';

describe('murmur2 (@manifold/kafkajs-protocol)', () => {
  it('hashes keys as the Java client does (its test vectors), so keys land on the same partitions', () => {
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['', 275646681],
      ['a', -1563381124],
      ['ab', 316155434],
      ['abc', 479470107],
      ['foobar', -790332482],
      ['user-1001', -1052335918],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['clé-été', -1316548481],
    ];
    for (const [key, hash] of vectors) {
      expect(murmur2(key)).toBe(hash);
      expect(murmur2(Buffer.from(key))).toBe(hash);
    }
  });
});
