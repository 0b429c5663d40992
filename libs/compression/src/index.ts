export { compressBody, sendCompressed, type CompressedBody, type CompressOptions } from './compressed';
