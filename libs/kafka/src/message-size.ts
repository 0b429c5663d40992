import type { OutgoingMessage, SendableMessage } from './types';

/**
 * About how many bytes a message takes in a produce request: its value, key and headers (strings
 * by their length, which is their UTF-8 size for ASCII and under it for other text, so callers
 * keep a margin under the broker's limit) and a record's framing. Cheap enough for every message
 * of a hot path, which an exact UTF-8 count is not.
 */
export function approximateMessageBytes(message: OutgoingMessage | SendableMessage): number {
  let bytes = message.value.length + (message.key?.length ?? 0) + 24;
  const headers = message.headers;
  if (headers) for (const name in headers) bytes += name.length + (headers[name]?.length ?? 0);
  return bytes;
}

/**
 * Items in order, in groups of at most `maxBytes` each by `size` (for messages,
 * approximateMessageBytes; an item larger than that alone in its group):
 * sends that stay under a topic's limit on a record batch (`max.message.bytes`; the broker's
 * default is 1 MB), which refuses a larger batch whole.
 */
export function groupByBytes<T>(items: readonly T[], maxBytes: number, size: (item: T) => number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item);
    if (group.length > 0 && bytes + itemBytes > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += itemBytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * A record batch's own framing and one record's (lengths, varints, attributes), rounded up well:
 * what a message needs beyond its key, value and headers when it goes to the broker alone.
 */
const SINGLE_RECORD_FRAMING_BYTES = 1024;

/** The exact UTF-8 bytes of a message's key, value and header names and values. */
export function messageBytes(message: OutgoingMessage | SendableMessage): number {
  let bytes = Buffer.byteLength(message.value) + (message.key ? Buffer.byteLength(message.key) : 0);
  const headers = message.headers;
  if (headers) {
    for (const name in headers) {
      const value = headers[name];
      bytes += Buffer.byteLength(name) + (value ? Buffer.byteLength(value) : 0);
    }
  }
  return bytes;
}

/**
 * Whether the broker takes this message alone in a record batch under a topic's
 * `max.message.bytes`. A message it refuses would be refused every time it is sent again: callers
 * set it aside instead. Counts the UTF-8 bytes only for messages whose length leaves a doubt
 * (a UTF-16 unit is at most 3 bytes), so the common case costs no more than approximateMessageBytes.
 */
export function fitsOneRecordBatch(message: OutgoingMessage | SendableMessage, maxMessageBytes: number): boolean {
  const room = maxMessageBytes - SINGLE_RECORD_FRAMING_BYTES;
  if (approximateMessageBytes(message) * 3 <= room) return true;
  return messageBytes(message) <= room;
}
