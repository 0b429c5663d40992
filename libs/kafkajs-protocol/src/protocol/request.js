const Encoder = require('./encoder')

const INT16_SIZE = 2
const INT32_SIZE = 4

/**
 * A request as it goes on the wire: its size, then the request header v1 (api key, api version,
 * correlation id, client id), then the request's own body.
 *
 * kafkajs wrapped the body in a growing encoder for the header, and that one again in another
 * for the size: a produce request of close to a megabyte was copied twice more, through several
 * doublings each (four to six buffers of up to 1 MB per send). Here the size is worked out first
 * and the request written once into a buffer of exactly that size.
 */
module.exports = async ({ correlationId, clientId, request: { apiKey, apiVersion, encode } }) => {
  const payload = await encode()
  const clientIdSize = clientId == null ? 0 : Buffer.byteLength(clientId, 'utf8')
  const size = INT16_SIZE + INT16_SIZE + INT32_SIZE + INT16_SIZE + clientIdSize + payload.size()
  return Encoder.ofSize(INT32_SIZE + size)
    .writeInt32(size)
    .writeInt16(apiKey)
    .writeInt16(apiVersion)
    .writeInt32(correlationId)
    .writeString(clientId)
    .writeEncoder(payload)
}
