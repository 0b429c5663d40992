/* eslint-disable */
// Java's murmur2 works on 32-bit ints; Math.imul and >>> give exactly its results without the
// BigInt-backed Long a 64-bit emulation needed (the low 32 bits never depend on the high ones).
const SEED = 0x9747b28c
const M = 0x5bd1e995

module.exports = key => {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key))
  const length = data.length
  let h = SEED ^ length
  const length4 = Math.floor(length / 4)

  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }

  // Handle the last few bytes of the input array
  switch (length % 4) {
    case 3:
      h ^= data[(length & ~3) + 2] << 16
    case 2:
      h ^= data[(length & ~3) + 1] << 8
    case 1:
      h ^= data[length & ~3]
      h = Math.imul(h, M)
  }

  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15

  return h | 0
}
