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

/** The byte length a key or value is written with (-1: null), as `Encoder.sizeOfVarIntBytes` measures it. */
const bytesLength = value =>
  value == null ? -1 : Buffer.isBuffer(value) ? value.length : Buffer.byteLength(String(value), 'utf8')

/**
 * A record sized but not written yet: what `writeTo` writes. The uncompressed produce request
 * writes its records straight into its own buffer with it, instead of each into a buffer of its
 * own and then a copy. The key's and value's byte lengths are measured once, for sizing and
 * writing; headers are kept as a flat list of name and value bytes, not an object each.
 */
const plan = ({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }) => {
  const headerBytes = []
  for (const headerKey of Object.keys(headers)) {
    const keyBytes = headerKeyBytes(headerKey)
    const headerValue = headers[headerKey]
    if (Array.isArray(headerValue)) {
      for (const item of headerValue) headerBytes.push(keyBytes, headerValueBytes(item))
    } else {
      headerBytes.push(keyBytes, headerValueBytes(headerValue))
    }
  }
  const keyLength = bytesLength(key)
  const valueLength = bytesLength(value)

  const sizeOfBody =
    1 + // always one byte for attributes
    Encoder.sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarInt(keyLength) +
    Math.max(0, keyLength) +
    Encoder.sizeOfVarInt(valueLength) +
    Math.max(0, valueLength) +
    sizeOfHeaders(headerBytes)

  return {
    size: Encoder.sizeOfVarInt(sizeOfBody) + sizeOfBody,
    sizeOfBody,
    offsetDelta,
    timestampDelta,
    key,
    keyLength,
    value,
    valueLength,
    headerBytes,
  }
}

/** Writes a planned record at the encoder's offset. A header key is written as bytes: the same wire form as a varint string. */
const writeTo = (encoder, record) => {
  encoder
    .writeVarInt(record.sizeOfBody)
    .writeInt8(0) // no used record attributes at the moment
    .writeVarLong(record.timestampDelta)
    .writeVarInt(record.offsetDelta)
    .writeVarIntBytesOfLength(record.key, record.keyLength)
    .writeVarIntBytesOfLength(record.value, record.valueLength)
    .writeVarInt(record.headerBytes.length / 2)
  const headerBytes = record.headerBytes
  for (let i = 0; i < headerBytes.length; i++) encoder.writeVarIntBytes(headerBytes[i])
  return encoder
}

// Sized once, headers written in place: no encoder (and buffer) per header, no regrowth.
module.exports = fields => {
  const record = plan(fields)
  return writeTo(new Encoder(record.size), record)
}
module.exports.plan = plan
module.exports.writeTo = writeTo

const sizeOfHeaders = headerBytes => {
  let size = Encoder.sizeOfVarInt(headerBytes.length / 2)

  for (const bytes of headerBytes) {
    size += bytes === null ? Encoder.sizeOfVarInt(-1) : Encoder.sizeOfVarInt(bytes.length) + bytes.length
  }

  return size
}
