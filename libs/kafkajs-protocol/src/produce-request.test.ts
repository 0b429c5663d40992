// A produce request as the broker reads it: each partition's record batch in send order, its
// checksum right, and every record decoding back to the message sent.
import {
  crc32C,
  Decoder,
  encodeRecord,
  groupMessagesPerPartition,
  murmur2,
  requireFromKafkajs,
} from './kafkajs-modules';

interface Message {
  key: string;
  value: string;
  headers: Record<string, string>;
}
type ProduceRequest = (args: {
  acks: number;
  timeout: number;
  topicData: Array<{ topic: string; partitions: Array<{ partition: number; messages: Message[] }> }>;
}) => { encode(): Promise<{ buffer: Buffer }> };
interface DecodedBatch {
  records: Array<{ key: Buffer; value: Buffer; headers: Record<string, Buffer>; offset: string }>;
}

const produceRequest = requireFromKafkajs('./src/protocol/requests/produce/v3/request') as ProduceRequest;
const decodeRecordBatch = requireFromKafkajs('./src/protocol/recordBatch/v0/decoder') as (
  decoder: unknown,
) => Promise<DecodedBatch>;

describe('produce request (@manifold/kafkajs-protocol)', () => {
  it('carries each partition’s messages in order, checksummed, decoding back to what was sent', async () => {
    const messages: Message[] = Array.from({ length: 700 }, (_, i) => ({
      key: `user-${i % 41}`,
      value: JSON.stringify({ i, note: 'é'.repeat(i % 50) }),
      headers: { 'manifold-message-id': `m-${i}`, 'manifold-type': 'track' },
    }));
    const partitionMetadata = [0, 1, 2];
    const groups = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata,
      messages,
      partitioner: ({ message }) => (murmur2(message.key) & 0x7fffffff) % 3,
    }) as unknown as Record<number, Message[]>;
    const partitions = Object.entries(groups).map(([p, list]) => ({ partition: Number(p), messages: list }));
    const request = produceRequest({ acks: -1, timeout: 30000, topicData: [{ topic: 'events', partitions }] });
    const bytes = (await request.encode()).buffer;

    let at = 0;
    const int16 = () => ((at += 2), bytes.readInt16BE(at - 2));
    const int32 = () => ((at += 4), bytes.readInt32BE(at - 4));
    expect(int16()).toBe(-1); // no transactional id
    expect(int16()).toBe(-1); // acks
    expect(int32()).toBe(30000);
    expect(int32()).toBe(1); // topics
    const nameLength = int16();
    expect(bytes.toString('utf8', at, (at += nameLength))).toBe('events');
    expect(int32()).toBe(partitions.length);
    const seen: string[] = [];
    for (const { partition, messages: sent } of partitions) {
      expect(int32()).toBe(partition);
      const size = int32();
      const batch = bytes.subarray(at, (at += size));
      // FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8, then the CRC-32C
      // of everything after it.
      expect(batch.readInt8(16)).toBe(2);
      expect(crc32C(batch.subarray(21)) >>> 0).toBe(batch.readUInt32BE(17));
      const { records } = await decodeRecordBatch(new Decoder(batch));
      expect(
        records.map((r) => ({
          key: r.key.toString(),
          value: r.value.toString(),
          headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])),
        })),
      ).toEqual(sent);
      expect(records.map((r) => r.offset)).toEqual(sent.map((_, i) => String(i)));
      seen.push(...sent.map((m) => m.headers['manifold-message-id'] as string));
    }
    expect(at).toBe(bytes.length);
    expect(seen.sort()).toEqual(messages.map((m) => m.headers['manifold-message-id']).sort());
  });
});

interface Batch {
  records: unknown[];
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: unknown;
  producerEpoch: number;
  firstSequence: number;
  transactional: boolean;
  lastOffsetDelta: number;
}
interface SizedEncoder {
  buffer: Buffer;
  size(): number;
}
interface KafkaEncoder extends SizedEncoder {
  writeInt16(value: number): KafkaEncoder;
  writeInt32(value: number): KafkaEncoder;
  writeString(value: string | null): KafkaEncoder;
  writeEncoder(value: SizedEncoder): KafkaEncoder;
}
// kafkajs's own record batch (not replaced), which the request stands for when it does not compress.
const { RecordBatch } = requireFromKafkajs('./src/protocol/recordBatch/v0') as {
  RecordBatch(batch: Batch & { compression: number }): Promise<SizedEncoder>;
};
const KafkaEncoder = requireFromKafkajs('./src/protocol/encoder') as new (size?: number) => KafkaEncoder;
const Long = requireFromKafkajs('./src/utils/long') as { fromValue(value: number | string): unknown };

describe('uncompressed produce request (@manifold/kafkajs-protocol)', () => {
  it('writes the same bytes as kafkajs’s levels around its own record batch', async () => {
    const producerId = Long.fromValue('9007199254740993');
    const at = 1764672000123;
    const messagesOf = (count: number, seed: number) =>
      Array.from({ length: count }, (_, i) => ({
        key: `user-${seed}-${i}`,
        value: JSON.stringify({ i, seed, text: 'ü'.repeat(i % 40) }),
        headers: { 'manifold-message-id': `m-${seed}-${i}`, traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
        timestamp: String(at + i * 3),
      }));
    for (const transactionalId of [null, 'tx-1']) {
      const topicData = [
        {
          topic: 'manifold.events.v1',
          partitions: [
            { partition: 0, firstSequence: 1234, messages: messagesOf(1, 1) },
            { partition: 4, firstSequence: 7, messages: messagesOf(500, 2) },
          ],
        },
        { topic: 'ünïcode', partitions: [{ partition: 2, firstSequence: 0, messages: messagesOf(37, 3) }] },
      ];
      const ours = await produceRequest({
        acks: -1,
        timeout: 30000,
        transactionalId,
        producerId,
        producerEpoch: 3,
        topicData,
      } as Parameters<ProduceRequest>[0]).encode();

      const expected = new KafkaEncoder()
        .writeString(transactionalId)
        .writeInt16(-1)
        .writeInt32(30000)
        .writeInt32(topicData.length);
      for (const { topic, partitions } of topicData) {
        expected.writeString(topic).writeInt32(partitions.length);
        for (const { partition, firstSequence, messages } of partitions) {
          const records = messages.map((m, i) =>
            encodeRecord({
              offsetDelta: i,
              timestampDelta: Number(m.timestamp) - at,
              key: Buffer.from(m.key),
              value: Buffer.from(m.value),
              headers: m.headers,
            }),
          );
          const theirs = await RecordBatch({
            compression: 0,
            records,
            firstTimestamp: at,
            maxTimestamp: Number(messages.at(-1)?.timestamp),
            producerId,
            producerEpoch: 3,
            firstSequence,
            transactional: transactionalId !== null,
            lastOffsetDelta: records.length - 1,
          });
          expected.writeInt32(partition).writeInt32(theirs.size()).writeEncoder(theirs);
        }
      }
      expect(ours.buffer.equals(expected.buffer)).toBe(true);
      // Exactly the size written: no slack kept alive with it.
      expect((ours as unknown as SizedEncoder).size()).toBe(ours.buffer.length);
    }
  });
});

type FrameRequest = (args: {
  correlationId: number;
  clientId: string | null;
  request: { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer; size(): number }> };
}) => Promise<{ buffer: Buffer }>;
const frameRequest = requireFromKafkajs('./src/protocol/request') as FrameRequest;

describe('request framing (@manifold/kafkajs-protocol)', () => {
  // The request header v1 written out by hand: size, api key, api version, correlation id, client id.
  function expected(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: Buffer) {
    const id = clientId === null ? Buffer.alloc(0) : Buffer.from(clientId, 'utf8');
    const header = Buffer.alloc(10);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(apiVersion, 2);
    header.writeInt32BE(correlationId, 4);
    header.writeInt16BE(clientId === null ? -1 : id.length, 8);
    const size = Buffer.alloc(4);
    size.writeInt32BE(header.length + id.length + body.length);
    return Buffer.concat([size, header, id, body]);
  }

  it.each([
    ['a small request', 'ingestion-é', 300],
    ['a produce request of a megabyte', 'manifold-ingestion', 1_000_000],
    ['no client id', null, 20],
  ])('frames %s byte for byte, in a buffer of exactly its size', async (_, clientId, bodyBytes) => {
    const body = Buffer.alloc(bodyBytes, 7);
    const request = {
      apiKey: 0,
      apiVersion: 3,
      encode: async () => ({ buffer: body, buf: body, size: () => body.length }),
    };
    const framed = await frameRequest({ correlationId: 123456, clientId, request });
    expect(framed.buffer.equals(expected(0, 3, 123456, clientId, body))).toBe(true);
    // A megabyte request keeps no power-of-two slack alive while it waits for its answer.
    if (bodyBytes > 4096) expect(framed.buffer.buffer.byteLength).toBe(framed.buffer.length);
  });
});
