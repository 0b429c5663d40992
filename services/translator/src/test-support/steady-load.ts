import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookEmulator } from '@manifold/emulators';
import { decodeDeadLetter, encodeEventMessage, type SpecEvent } from '@manifold/events';
import type { EventProducer, KafkaClient } from '@manifold/kafka';
import { deliveredIds, readTopic, SOURCE_ID, waitFor, WORKSPACE_ID } from './harness';

export interface SteadyLoad {
  /** The events whose publish Kafka acknowledged (re-sent copies not repeated). */
  sent: SpecEvent[];
  /** Stops publishing and resolves once the last publish is over. */
  stop(): Promise<void>;
}

/**
 * Publishes to `topic`, every `intervalMs`, the events `next` makes (given those sent so far),
 * until stopped. A publish Kafka does not acknowledge (a broker away) is not retried: its events
 * are not in `sent`, though Kafka may have stored them.
 */
export function publishSteadily(
  producer: EventProducer,
  topic: string,
  next: (sent: readonly SpecEvent[]) => { fresh: SpecEvent[]; again?: SpecEvent[] },
  intervalMs: number,
): SteadyLoad {
  const sent: SpecEvent[] = [];
  let sending = true;
  const loop = (async () => {
    while (sending) {
      const { fresh, again = [] } = next(sent);
      const messages = [...fresh, ...again].map((e) =>
        encodeEventMessage(e, { sourceId: SOURCE_ID, workspaceId: WORKSPACE_ID }),
      );
      try {
        await producer.send(topic, messages, { timeoutMs: 2000 });
        sent.push(...fresh);
      } catch {
        // Not acknowledged: not expected, but counted like the others if delivered twice.
      }
      await sleep(intervalMs);
    }
  })();
  return {
    sent,
    async stop() {
      sending = false;
      await loop;
    },
  };
}

/** Where the dead letters of the instance `hook` stands for are. */
export interface DeadLetters {
  kafka: KafkaClient;
  topic: string;
  destinationId: string;
}

/**
 * Waits until every expected messageId reached `hook`, leaves late copies time to arrive, then
 * gives what was delivered more than once and what never was. With `deadLetters`, each missing
 * messageId says whether the instance dead-lettered it (and why): a diagnosis, not an excuse.
 */
export async function deliveryFaults(
  hook: WebhookEmulator,
  expected: ReadonlySet<string>,
  timeoutMs: number,
  deadLetters?: DeadLetters,
): Promise<{ twice: string[]; missing: string[] }> {
  const arrived = () => new Set(deliveredIds(hook));
  await waitFor(() => [...expected].every((id) => arrived().has(id)), timeoutMs, 'every messageId delivered').catch(
    () => undefined,
  );
  await sleep(3000);
  const counts = new Map<string, number>();
  for (const id of deliveredIds(hook)) counts.set(id, (counts.get(id) ?? 0) + 1);
  const missing = [...expected].filter((id) => !counts.has(id));
  return {
    twice: [...counts].filter(([, count]) => count > 1).map(([id]) => id),
    missing: deadLetters && missing.length > 0 ? await whyMissing(missing, deadLetters) : missing,
  };
}

/** Each messageId with what the dead-letter topic says of it for the instance. */
async function whyMissing(missing: readonly string[], { kafka, topic, destinationId }: DeadLetters): Promise<string[]> {
  const ends = await kafka.endOffsets(topic);
  const count = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
  const reasons = new Map<string, string>();
  for (const message of count > 0 ? await readTopic(kafka, topic, count) : []) {
    const letter = decodeDeadLetter(message.value ?? '');
    const id = letter.event?.messageId;
    if (id && letter.destinationId === destinationId) reasons.set(id, `${letter.reason}: ${letter.message}`);
  }
  return missing.map((id) => {
    const reason = reasons.get(id);
    return reason
      ? `${id} (dead-lettered by ${destinationId}: ${reason})`
      : `${id} (no dead letter of ${destinationId})`;
  });
}
