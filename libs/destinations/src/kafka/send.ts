import { z } from 'zod';
import { defineAction, isPlainObject, type RequestDescriptor } from '@manifold/destination-kit';
import { kafkaSettings, type KafkaSettings } from './settings';

const fields = z.object({
  // Checked in place, as the webhook's: by default this is the whole event.
  value: z
    .custom<Record<string, unknown>>(isPlainObject, { message: 'value must be a JSON object' })
    .meta({ type: 'object', description: 'The record value as JSON; the whole Spec event by default.' }),
  messageId: z.string().optional().meta({ description: 'The record key with key "messageId"; a header always.' }),
  userId: z.string().optional().meta({ description: 'The record key with key "userId".' }),
  anonymousId: z.string().optional().meta({ description: 'The record key with key "userId" when userId is absent.' }),
  type: z.string().optional().meta({ description: 'The call type, sent as a header.' }),
});

/** What the Kafka transport writes: the request body of a Kafka "request" (see README.md#requests). */
export interface KafkaRecordBody {
  key: string | null;
  value: Record<string, unknown>;
}

/** One record of a batched Kafka "request" (its body is a JSON array of them, one per event). */
export interface KafkaBatchRecord extends KafkaRecordBody {
  headers: Record<string, string>;
}

/** Most records one batched request carries. */
export const MAX_BATCH_RECORDS = 1000;

/** `kafka://<brokers>/<topic>`: where a record goes, as a request's URL (traces, the mapping tester). */
export function kafkaUrl(settings: KafkaSettings): string {
  return `kafka://${settings.brokers.replace(/\s+/g, '')}/${settings.topic}`;
}

function recordKey(payload: SendPayload, settings: KafkaSettings): string | null {
  if (settings.key === 'messageId') return payload.messageId ?? null;
  if (settings.key === 'userId') return payload.userId ?? payload.anonymousId ?? null;
  return null;
}

type SendPayload = z.output<typeof fields>;

function recordHeaders(payload: SendPayload): Record<string, string> {
  const headers: Record<string, string> = {};
  if (payload.type !== undefined) headers['manifold-type'] = payload.type;
  if (payload.messageId !== undefined) headers['manifold-message-id'] = payload.messageId;
  return headers;
}

export const send = defineAction(kafkaSettings, {
  title: 'Send',
  description: 'Writes the event as a JSON record to the topic.',
  fields,
  defaultMapping: {
    value: { '@path': '$.' },
    messageId: { '@path': '$.messageId' },
    userId: { '@path': '$.userId' },
    anonymousId: { '@path': '$.anonymousId' },
    type: { '@path': '$.type' },
  },
  perform: (payload, settings): RequestDescriptor[] => {
    const headers = { 'content-type': 'application/json', ...recordHeaders(payload) };
    const body: KafkaRecordBody = { key: recordKey(payload, settings), value: payload.value };
    return [{ method: 'POST', url: kafkaUrl(settings), headers, body: JSON.stringify(body) }];
  },
  // Several events: one request whose body lists their records, each with its own key and headers.
  batch: {
    maxEvents: MAX_BATCH_RECORDS,
    size: (settings) => settings.batchSize,
    perform: (payloads, settings): RequestDescriptor[] => {
      const records: KafkaBatchRecord[] = payloads.map((payload) => ({
        key: recordKey(payload, settings),
        value: payload.value,
        headers: recordHeaders(payload),
      }));
      return [
        {
          method: 'POST',
          url: kafkaUrl(settings),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(records),
          itemEvents: payloads.map((_p, i) => i),
        },
      ];
    },
  },
});
