// The protocol code must keep Kafka's wire format exactly: varints and varlongs as zigzag LEB128,
// records byte for byte and decoded back, record batch checksums as CRC-32C.
import { crc32C, decodeRecord, Decoder, Encoder, encodeRecord, referenceVarLong } from './kafkajs-modules';

/** CRC-32C bit by bit (reflected polynomial 0x82F63B78): slow and obviously right. */
function referenceCrc32C(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
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

describe('kafkajs wire format (@manifold/kafkajs-protocol)', () => {
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
