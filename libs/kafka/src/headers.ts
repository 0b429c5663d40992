import type { Batch, IHeaders, KafkaMessage } from 'kafkajs';
import type { ConsumedMessage, MessageHeaders } from './types';

export function decodeHeaders(headers: IHeaders | undefined): MessageHeaders {
  const out: MessageHeaders = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // Repeated headers: the last one wins, as in HTTP-style metadata.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

/** A kafkajs message of a batch as the rest of Manifold sees it. */
export function consumedMessage(batch: Pick<Batch, 'topic' | 'partition'>, m: KafkaMessage): ConsumedMessage {
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: m.offset,
    key: m.key ?? null,
    value: m.value ?? null,
    headers: decodeHeaders(m.headers),
    timestamp: Number(m.timestamp),
  };
}
