// The kafkajs protocol patch (patches/kafkajs@2.2.4.patch) must keep the wire format exactly:
// varints and varlongs as Kafka's zigzag LEB128, records byte for byte, and decoding back.
import { createRequire } from 'node:module';

const requireFromKafkajs = createRequire(require.resolve('kafkajs'));

interface EncoderLike {
  writeVarInt(value: number): EncoderLike;
  writeVarLong(value: number): EncoderLike;
  buffer: Buffer;
}
interface DecoderLike {
  readVarInt(): number;
  readVarLong(): { toString(): string };
}
type RecordEncoder = (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string | Buffer | string[]>;
}) => EncoderLike;
type RecordDecoder = (
  decoder: DecoderLike,
  context: { firstOffset: string; firstTimestamp: string },
) => { offset: string; timestamp: string; key: Buffer | null; value: Buffer; headers: Record<string, unknown> };

const Encoder = requireFromKafkajs('./src/protocol/encoder') as new () => EncoderLike;
const Decoder = requireFromKafkajs('./src/protocol/decoder') as new (buffer: Buffer) => DecoderLike;
const encodeRecord = requireFromKafkajs('./src/protocol/recordBatch/record/v0') as RecordEncoder;
const decodeRecord = requireFromKafkajs('./src/protocol/recordBatch/record/v0/decoder') as RecordDecoder;
const crc32C = requireFromKafkajs('./src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;
const murmur2 = requireFromKafkajs('./src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;
type Grouper = (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Array<{ key: string; value: string }>;
  partitioner: (args: { message: { key: string } }) => number;
}) => Record<number, Array<{ key: string; value: string }>>;
const groupMessagesPerPartition = requireFromKafkajs('./src/producer/groupMessagesPerPartition') as Grouper;

/** CRC-32C bit by bit (reflected polynomial 0x82F63B78): slow and obviously right. */
function referenceCrc32C(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Kafka's varlong: zigzag over 64 bits, then 7 bits per byte, low first. */
function referenceVarLong(value: bigint): Buffer {
  let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return Buffer.from(bytes);
}

const values = [
  0,
  1,
  -1,
  63,
  64,
  -64,
  -65,
  300,
  -300,
  2 ** 30,
  -(2 ** 30),
  2 ** 31 - 1,
  -(2 ** 31),
  1_700_000_000_000,
  -(2 ** 48) - 3,
  2 ** 52,
];

describe('kafkajs wire encoding (patched)', () => {
  it.each(values)('encodes and decodes the varlong %d as Kafka does', (value) => {
    const encoded = new Encoder().writeVarLong(value).buffer;
    expect(encoded.equals(referenceVarLong(BigInt(value)))).toBe(true);
    expect(new Decoder(encoded).readVarLong().toString()).toBe(String(value));
  });

  it.each(values.filter((v) => (v | 0) === v))('encodes the varint %d as Kafka does', (value) => {
    const encoded = new Encoder().writeVarInt(value).buffer;
    expect(encoded.equals(referenceVarLong(BigInt(value)))).toBe(true);
    expect(new Decoder(encoded).readVarInt()).toBe(value);
  });

  it('round-trips a record with its key, value and repeated, non-ASCII and binary headers', () => {
    const value = Buffer.from(JSON.stringify({ type: 'track', event: 'Ordered', note: 'x'.repeat(900) }));
    const encoded = encodeRecord({
      offsetDelta: 7,
      timestampDelta: 1234,
      key: Buffer.from('user-1'),
      value,
      headers: { 'manifold-source-id': 'src-1', binary: Buffer.from([0, 255, 10]), many: ['a', 'b'], clé: 'été' },
    }).buffer;
    const decoder = new Decoder(encoded);
    const length = decoder.readVarInt();
    expect(length).toBe(encoded.length - referenceVarLong(BigInt(length)).length);
    const record = decodeRecord(decoder, { firstOffset: '9007199254740000', firstTimestamp: '1700000000000' });
    expect(record.offset).toBe('9007199254740007');
    expect(record.timestamp).toBe('1700000001234');
    expect(record.key?.toString()).toBe('user-1');
    expect(record.value.equals(value)).toBe(true);
    expect(String(record.headers['manifold-source-id'])).toBe('src-1');
    expect(record.headers['binary']).toEqual(Buffer.from([0, 255, 10]));
    expect((record.headers['many'] as Buffer[]).map(String)).toEqual(['a', 'b']);
    expect(String(record.headers['clé'])).toBe('été');
  });

  it('computes record batch checksums as CRC-32C, whatever the length', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    for (const length of [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099]) {
      const buffer = Buffer.from(Array.from({ length }, (_, i) => (i * 131 + length) & 0xff));
      expect(crc32C(buffer)).toBe(referenceCrc32C(buffer));
    }
  });

  it('partitions keys as the Java client does (murmur2 test vectors)', () => {
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

  it('groups a large send per partition, keeping each partition in send order', () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({ key: `user-${i % 97}`, value: String(i) }));
    const groups = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [0, 1, 2],
      messages,
      partitioner: ({ message }) => Number(message.key.slice(5)) % 3,
    });
    expect(Object.keys(groups).sort()).toEqual(['0', '1', '2']);
    for (const [partition, list] of Object.entries(groups)) {
      const expected = messages.filter((m) => Number(m.key.slice(5)) % 3 === Number(partition));
      expect(list).toEqual(expected);
    }
  });

  it('keeps offsets beyond 2^53 exact', () => {
    const encoded = encodeRecord({
      offsetDelta: 1,
      timestampDelta: 0,
      key: null,
      value: Buffer.from('v'),
      headers: {},
    }).buffer;
    const decoder = new Decoder(encoded);
    decoder.readVarInt();
    expect(decodeRecord(decoder, { firstOffset: '9223372036854775806', firstTimestamp: '0' }).offset).toBe(
      '9223372036854775807',
    );
  });
});
