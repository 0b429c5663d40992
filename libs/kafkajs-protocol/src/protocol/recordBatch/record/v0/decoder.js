const Long = require('kafkajs/src/utils/long')
const HeaderDecoder = require('kafkajs/src/protocol/recordBatch/header/v0/decoder')
const TimestampTypes = require('kafkajs/src/protocol/timestampTypes')

/**
 * v0
 * Record =>
 *   Length => Varint
 *   Attributes => Int8
 *   TimestampDelta => Varlong
 *   OffsetDelta => Varint
 *   Key => varInt|Bytes
 *   Value => varInt|Bytes
 *   Headers => [HeaderKey HeaderValue]
 *     HeaderKey => VarInt|String
 *     HeaderValue => VarInt|Bytes
 */

/**
 * base + delta as a decimal string, as Long would give it; in Number arithmetic while the result
 * is exact (offsets and epoch milliseconds always are), saving two BigInt conversions per record.
 */
const addToDecimal = (base, delta) => {
  const sum = Number(base) + (typeof delta === 'number' ? delta : delta.toNumber())
  return Number.isSafeInteger(sum) && Number.isSafeInteger(Number(base))
    ? String(sum)
    : Long.fromValue(base)
        .add(delta)
        .toString()
}

module.exports = (decoder, batchContext = {}) => {
  const {
    firstOffset,
    firstTimestamp,
    magicByte,
    isControlBatch = false,
    timestampType,
    maxTimestamp,
  } = batchContext
  const attributes = decoder.readInt8()

  const timestampDelta = decoder.readVarLong()
  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : addToDecimal(firstTimestamp, timestampDelta)

  const offsetDelta = decoder.readVarInt()
  const offset = addToDecimal(firstOffset, offsetDelta)

  const key = decoder.readVarIntBytes()
  const value = decoder.readVarIntBytes()
  // One object filled in place (a spread per header copied it once per header).
  const headers = {}
  for (const { key, value } of decoder.readVarIntArray(HeaderDecoder)) {
    const current = headers[key]
    headers[key] =
      current === undefined ? value : Array.isArray(current) ? current.concat([value]) : [current, value]
  }

  return {
    magicByte,
    attributes, // Record level attributes are presently unused
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: isControlBatch,
    batchContext,
  }
}
