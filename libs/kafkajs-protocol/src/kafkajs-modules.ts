// The modules under test, loaded the way kafkajs loads them: through kafkajs's own paths, so the
// tests also prove that the installed kafkajs runs this package's code (see wiring.test.ts).
import { createRequire } from 'node:module';

export const requireFromKafkajs = createRequire(require.resolve('kafkajs'));

export interface EncoderLike {
  writeVarInt(value: number): EncoderLike;
  writeVarLong(value: number): EncoderLike;
  buffer: Buffer;
}
export interface DecoderLike {
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
type Grouper = (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Array<{ key: string; value: string }>;
  partitioner: (args: { message: { key: string } }) => number;
}) => Record<number, Array<{ key: string; value: string }>>;

export const Encoder = requireFromKafkajs('./src/protocol/encoder') as new () => EncoderLike;
export const Decoder = requireFromKafkajs('./src/protocol/decoder') as new (buffer: Buffer) => DecoderLike;
export const encodeRecord = requireFromKafkajs('./src/protocol/recordBatch/record/v0') as RecordEncoder;
export const decodeRecord = requireFromKafkajs('./src/protocol/recordBatch/record/v0/decoder') as RecordDecoder;
export const crc32C = requireFromKafkajs('./src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;
export const murmur2 = requireFromKafkajs('./src/producer/partitioners/default/murmur2') as (
  key: string | Buffer,
) => number;
export const groupMessagesPerPartition = requireFromKafkajs('./src/producer/groupMessagesPerPartition') as Grouper;

/** Kafka's varlong: zigzag over 64 bits, then 7 bits per byte, low first. */
export function referenceVarLong(value: bigint): Buffer {
  let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return Buffer.from(bytes);
}
