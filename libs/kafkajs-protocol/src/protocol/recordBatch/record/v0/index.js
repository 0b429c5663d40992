const Encoder = require('../../../encoder')

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
 * @param [offsetDelta=0] {Integer}
 * @param [timestampDelta=0] {Long}
 * @param key {Buffer}
 * @param value {Buffer}
 * @param [headers={}] {Object}
 */
// Header names repeat in every message: their bytes are worked out once. Values are turned into
// bytes once, so sizing and writing a header costs no second UTF-8 pass.
const headerKeyCache = new Map()
const headerKeyBytes = key => {
  let bytes = headerKeyCache.get(key)
  if (bytes === undefined) {
    bytes = Buffer.from(key)
    if (headerKeyCache.size < 1024) headerKeyCache.set(key, bytes)
  }
  return bytes
}
const headerValueBytes = value =>
  value == null ? null : Buffer.isBuffer(value) ? value : Buffer.from(String(value))

/**
 * A record sized but not written yet: what `writeTo` writes. The uncompressed produce request
 * writes its records straight into its own buffer with it, instead of each into a buffer of its
 * own and then a copy.
 */
const plan = ({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }) => {
  const headersArray = []
  for (const headerKey of Object.keys(headers)) {
    const keyBytes = headerKeyBytes(headerKey)
    const headerValue = headers[headerKey]
    if (Array.isArray(headerValue)) {
      for (const item of headerValue) headersArray.push({ key: keyBytes, value: headerValueBytes(item) })
    } else {
      headersArray.push({ key: keyBytes, value: headerValueBytes(headerValue) })
    }
  }

  const sizeOfBody =
    1 + // always one byte for attributes
    Encoder.sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarIntBytes(key) +
    Encoder.sizeOfVarIntBytes(value) +
    sizeOfHeaders(headersArray)

  return {
    size: Encoder.sizeOfVarInt(sizeOfBody) + sizeOfBody,
    sizeOfBody,
    offsetDelta,
    timestampDelta,
    key,
    value,
    headersArray,
  }
}

/** Writes a planned record at the encoder's offset. A header key is written as bytes: the same wire form as a varint string. */
const writeTo = (encoder, record) => {
  encoder
    .writeVarInt(record.sizeOfBody)
    .writeInt8(0) // no used record attributes at the moment
    .writeVarLong(record.timestampDelta)
    .writeVarInt(record.offsetDelta)
    .writeVarIntBytes(record.key)
    .writeVarIntBytes(record.value)
    .writeVarInt(record.headersArray.length)
  for (const header of record.headersArray) encoder.writeVarIntBytes(header.key).writeVarIntBytes(header.value)
  return encoder
}

// Sized once, headers written in place: no encoder (and buffer) per header, no regrowth.
module.exports = fields => {
  const record = plan(fields)
  return writeTo(new Encoder(record.size), record)
}
module.exports.plan = plan
module.exports.writeTo = writeTo

const sizeOfHeaders = headersArray => {
  let size = Encoder.sizeOfVarInt(headersArray.length)

  for (const header of headersArray) {
    size += Encoder.sizeOfVarInt(header.key.length) + header.key.length
    size +=
      header.value === null
        ? Encoder.sizeOfVarInt(-1)
        : Encoder.sizeOfVarInt(header.value.length) + header.value.length
  }

  return size
}
