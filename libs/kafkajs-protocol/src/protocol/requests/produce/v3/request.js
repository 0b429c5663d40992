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
    Record({
      key: message.key,
      value: message.value,
      headers: message.headers,
      offsetDelta: i,
      timestampDelta: (message.timestamp || dateNow) - firstTimestamp,
    })
  )

  const batch = {
    partition,
    records,
    firstTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    firstSequence,
    transactional: !!transactionalId,
    lastOffsetDelta: records.length - 1,
  }
  // Uncompressed (ingestion's sends): the entry written once, at its exact size.
  if (compression === Types.None) return encodePartitionBatch(batch)

  const recordBatch = await RecordBatch({ ...batch, compression })

  return new Encoder(recordBatch.size() + 8)
    .writeInt32(partition)
    .writeInt32(recordBatch.size())
    .writeEncoder(recordBatch)
}

const MAGIC_BYTE = 2
const TRANSACTIONAL_MASK = 16

// FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8, CRC int32.
const CRC_OFFSET = 8 + 4 + 4 + 1
// Attributes int16, LastOffsetDelta int32, FirstTimestamp int64, MaxTimestamp int64,
// ProducerId int64, ProducerEpoch int16, FirstSequence int32, the records' count int32.
const BODY_HEADER_SIZE = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4
const BATCH_HEADER_SIZE = CRC_OFFSET + 4 + BODY_HEADER_SIZE

/**
 * A partition's entry in a produce request (Partition int32, RecordSet size int32, then the
 * uncompressed record batch v2 of kafkajs's `recordBatch/v0`), written once into a buffer of its
 * exact size, the same bytes kafkajs writes.
 *
 * kafkajs built the batch through three encoders that each grew by doubling and copied what the
 * previous one held, and then copied the batch once more into the partition's entry: about eight
 * times the batch's bytes in buffers per send, garbage outside the JavaScript heap that only a
 * collection frees. Here the records are copied once.
 *
 * @param {object} args
 * @param {number} args.partition
 * @param {Encoder[]} args.records encoded records (`recordBatch/record/v0`)
 * @param {number} args.firstTimestamp
 * @param {number} args.maxTimestamp
 * @param {import('kafkajs/src/utils/long')} args.producerId
 * @param {number} args.producerEpoch
 * @param {number} args.firstSequence
 * @param {boolean} args.transactional
 * @param {number} args.lastOffsetDelta
 */
const encodePartitionBatch = ({
  partition,
  records,
  firstTimestamp,
  maxTimestamp,
  producerId,
  producerEpoch,
  firstSequence,
  transactional,
  lastOffsetDelta,
}) => {
  let recordsSize = 0
  for (const record of records) recordsSize += record.size()
  const batchSize = BATCH_HEADER_SIZE + recordsSize
  const encoder = Encoder.ofSize(4 + 4 + batchSize)
    .writeInt32(partition)
    .writeInt32(batchSize)
    // FirstOffset, then Length: the bytes after it.
    .writeInt64(0)
    .writeInt32(batchSize - 8 - 4)
    .writeInt32(0) // PartitionLeaderEpoch
    .writeInt8(MAGIC_BYTE)
    .writeUInt32(0) // the CRC, once the bytes it covers are written
    .writeInt16(transactional ? TRANSACTIONAL_MASK : 0) // no compression, create time
    .writeInt32(lastOffsetDelta)
    .writeInt64(firstTimestamp)
    .writeInt64(maxTimestamp)
    .writeInt64(producerId)
    .writeInt16(producerEpoch)
    .writeInt32(firstSequence)
    .writeInt32(records.length)
  for (const record of records) encoder.writeEncoder(record)
  const crcAt = 8 + CRC_OFFSET
  encoder.buf.writeUInt32BE(crc32C(encoder.buf.subarray(crcAt + 4, encoder.offset)) >>> 0, crcAt)
  return encoder
}

// For its test, which holds it to kafkajs's own record batch.
module.exports.encodePartitionBatch = encodePartitionBatch
