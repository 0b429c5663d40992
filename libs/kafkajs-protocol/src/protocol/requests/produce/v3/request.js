const Long = require('kafkajs/src/utils/long')
const Encoder = require('../../../encoder')
const { Produce: apiKey } = require('kafkajs/src/protocol/requests/apiKeys')
const { Types } = require('kafkajs/src/protocol/message/compression')
const Record = require('../../../recordBatch/record/v0')
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0')
const crc32C = require('../../../recordBatch/crc32C/crc32C')

/**
 * Produce Request (Version: 3) => transactional_id acks timeout [topic_data]
 *   transactional_id => NULLABLE_STRING
 *   acks => INT16
 *   timeout => INT32
 *   topic_data => topic [data]
 *     topic => STRING
 *     data => partition record_set
 *       partition => INT32
 *       record_set => RECORDS
 */

/**
 * @param [transactionalId=null] {String} The transactional id or null if the producer is not transactional
 * @param acks {Integer} See producer request v0
 * @param timeout {Integer} See producer request v0
 * @param [compression=CompressionTypes.None] {CompressionTypes}
 * @param topicData {Array}
 */
module.exports = ({
  acks,
  timeout,
  transactionalId = null,
  producerId = Long.fromInt(-1),
  producerEpoch = 0,
  compression = Types.None,
  topicData,
}) => ({
  apiKey,
  apiVersion: 3,
  apiName: 'Produce',
  expectResponse: () => acks !== 0,
  encode: async () => {
    // Uncompressed (ingestion's sends): the whole request written once, at its exact size.
    if (compression === Types.None) {
      return encodeUncompressed({ acks, timeout, transactionalId, producerId, producerEpoch, topicData })
    }
    const encodeTopic = topicEncoder(compression)
    const encodedTopicData = []

    for (const data of topicData) {
      encodedTopicData.push(
        await encodeTopic({ ...data, transactionalId, producerId, producerEpoch })
      )
    }

    // Each level is sized for what it wraps: no regrowth and copy per doubling.
    return new Encoder(sizeOf(encodedTopicData) + 64)
      .writeString(transactionalId)
      .writeInt16(acks)
      .writeInt32(timeout)
      .writeArray(encodedTopicData)
  },
})

const topicEncoder = compression => async ({
  topic,
  partitions,
  transactionalId,
  producerId,
  producerEpoch,
}) => {
  const encodePartitions = partitionsEncoder(compression)
  const encodedPartitions = []

  for (const data of partitions) {
    encodedPartitions.push(
      await encodePartitions({ ...data, transactionalId, producerId, producerEpoch })
    )
  }

  return new Encoder(sizeOf(encodedPartitions) + Buffer.byteLength(topic) + 8)
    .writeString(topic)
    .writeArray(encodedPartitions)
}

const sizeOf = encoders => encoders.reduce((sum, encoder) => sum + encoder.size(), 0)

const partitionsEncoder = compression => async ({
  partition,
  messages,
  transactionalId,
  firstSequence,
  producerId,
  producerEpoch,
}) => {
  const { records, firstTimestamp, maxTimestamp } = encodeRecords(messages)
  const recordBatch = await RecordBatch({
    compression,
    records,
    firstTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    firstSequence,
    transactional: !!transactionalId,
    lastOffsetDelta: records.length - 1,
  })

  return new Encoder(recordBatch.size() + 8)
    .writeInt32(partition)
    .writeInt32(recordBatch.size())
    .writeEncoder(recordBatch)
}

/** A partition's messages as records (`make` encodes or plans each), with the batch's first and last timestamps. */
const recordsOf = (messages, make) => {
  const dateNow = Date.now()
  const messageTimestamps = messages
    .map(m => m.timestamp)
    .filter(timestamp => timestamp != null)
    .sort()

  const timestamps = messageTimestamps.length === 0 ? [dateNow] : messageTimestamps
  const firstTimestamp = timestamps[0]
  const maxTimestamp = timestamps[timestamps.length - 1]

  // Only the fields Record reads (a spread copied every property of every message).
  const records = messages.map((message, i) =>
    make({
      key: message.key,
      value: message.value,
      headers: message.headers,
      offsetDelta: i,
      timestampDelta: (message.timestamp || dateNow) - firstTimestamp,
    })
  )
  return { records, firstTimestamp, maxTimestamp }
}

/** A partition's messages as encoded records (kafkajs's record batch, for compressed batches). */
const encodeRecords = messages => recordsOf(messages, Record)

/**
 * An uncompressed produce request, written once into a buffer of its exact size: the same bytes
 * as the levels above with kafkajs's `recordBatch/v0`, which built each record batch through three
 * encoders that grew by doubling and copied what the one before held, then copied it into the
 * partition's level, the topic's and the request's (each rounded up to a power of two). That was
 * about eleven times the request's bytes in buffers per send, garbage outside the JavaScript heap
 * that only a collection frees; here it is this one buffer, each record sized first (`Record.plan`)
 * and then written straight into it (`Record.writeTo`), not into a buffer of its own and copied.
 */
const encodeUncompressed = ({ acks, timeout, transactionalId, producerId, producerEpoch, topicData }) => {
  const transactional = !!transactionalId
  let size = stringSize(transactionalId) + 2 + 4 + 4
  const topics = topicData.map(({ topic, partitions }) => {
    size += stringSize(topic) + 4
    const batches = partitions.map(({ partition, messages, firstSequence = 0 }) => {
      const batch = {
        partition,
        ...recordsOf(messages, Record.plan),
        producerId,
        producerEpoch,
        firstSequence,
        transactional,
      }
      size += 4 + 4 + batchSize(batch.records)
      return batch
    })
    return { topic, batches }
  })

  const encoder = Encoder.ofSize(size)
    .writeString(transactionalId)
    .writeInt16(acks)
    .writeInt32(timeout)
    .writeInt32(topics.length)
  for (const { topic, batches } of topics) {
    encoder.writeString(topic).writeInt32(batches.length)
    for (const batch of batches) writePartitionBatch(encoder, batch)
  }
  return encoder
}

const stringSize = value => (value == null ? 2 : 2 + Buffer.byteLength(value, 'utf8'))

const MAGIC_BYTE = 2
const TRANSACTIONAL_MASK = 16

// FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8, CRC int32.
const CRC_OFFSET = 8 + 4 + 4 + 1
// Attributes int16, LastOffsetDelta int32, FirstTimestamp int64, MaxTimestamp int64,
// ProducerId int64, ProducerEpoch int16, FirstSequence int32, the records' count int32.
const BODY_HEADER_SIZE = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4
const BATCH_HEADER_SIZE = CRC_OFFSET + 4 + BODY_HEADER_SIZE

const batchSize = records => {
  let size = BATCH_HEADER_SIZE
  for (const record of records) size += record.size
  return size
}

/**
 * Writes a partition's entry (Partition int32, RecordSet size int32, then the uncompressed record
 * batch v2 of kafkajs's `recordBatch/v0`, the same bytes), its records copied once.
 */
const writePartitionBatch = (
  encoder,
  { partition, records, firstTimestamp, maxTimestamp, producerId, producerEpoch, firstSequence, transactional }
) => {
  const size = batchSize(records)
  encoder
    .writeInt32(partition)
    .writeInt32(size)
    // FirstOffset, then Length: the bytes after it.
    .writeInt64(0)
    .writeInt32(size - 8 - 4)
    .writeInt32(0) // PartitionLeaderEpoch
    .writeInt8(MAGIC_BYTE)
  const crcAt = encoder.offset
  encoder
    .writeUInt32(0) // the CRC, once the bytes it covers are written
    .writeInt16(transactional ? TRANSACTIONAL_MASK : 0) // no compression, create time
    .writeInt32(records.length - 1) // LastOffsetDelta
    .writeInt64(firstTimestamp)
    .writeInt64(maxTimestamp)
    .writeInt64(producerId)
    .writeInt16(producerEpoch)
    .writeInt32(firstSequence)
    .writeInt32(records.length)
  for (const record of records) Record.writeTo(encoder, record)
  encoder.buf.writeUInt32BE(crc32C(encoder.buf.subarray(crcAt + 4, encoder.offset)) >>> 0, crcAt)
}
