import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookEmulator } from '@manifold/emulators';
import { encodeEventMessage, type SpecEvent } from '@manifold/events';
import type { EventProducer } from '@manifold/kafka';
import { deliveredIds, SOURCE_ID, waitFor, WORKSPACE_ID } from './harness';

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

/**
 * Waits until every expected messageId reached `hook`, leaves late copies time to arrive, then
 * gives what was delivered more than once and what never was.
 */
export async function deliveryFaults(
  hook: WebhookEmulator,
  expected: ReadonlySet<string>,
  timeoutMs: number,
): Promise<{ twice: string[]; missing: string[] }> {
  const arrived = () => new Set(deliveredIds(hook));
  await waitFor(() => [...expected].every((id) => arrived().has(id)), timeoutMs, 'every messageId delivered').catch(
    () => undefined,
  );
  await sleep(3000);
  const counts = new Map<string, number>();
  for (const id of deliveredIds(hook)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return {
    twice: [...counts].filter(([, count]) => count > 1).map(([id]) => id),
    missing: [...expected].filter((id) => !counts.has(id)),
  };
}
