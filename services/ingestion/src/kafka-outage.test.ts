import { setTimeout as sleep } from 'node:timers/promises';
import { PrivateKafka } from '@manifold/testing';
import { parseValue, readTopic, startTestIngestion, WRITE_KEY, type TestIngestion } from './test-support/harness';

async function sendTrack(url: string, messageId: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  try {
    const res = await fetch(`${url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: WRITE_KEY, userId: `u-${messageId}`, event: 'Outage Test', messageId }),
      signal: AbortSignal.timeout(20000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  } catch {
    return { status: 0, ms: Date.now() - started };
  }
}

/**
 * Kafka goes away and comes back while clients keep sending: every request is answered (503
 * while Kafka cannot take events, never a hang), and every event answered 200 is in Kafka.
 */
describe('ingestion through a Kafka outage', () => {
  let kafka: PrivateKafka;
  let ingestion: TestIngestion;
  const answered200 = new Set<string>();
  const answers: Array<{ id: string; status: number; ms: number; phase: string }> = [];
  let phase = 'up';
  let sending = true;
  let background: Promise<void> = Promise.resolve();
  let counter = 0;

  const send = async (): Promise<void> => {
    const id = `outage-${++counter}`;
    const current = phase;
    const answer = await sendTrack(ingestion.url, id);
    answers.push({ id, phase: current, ...answer });
    if (answer.status === 200) answered200.add(id);
  };

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    await kafka.start();
    ingestion = await startTestIngestion({ publish: { timeoutMs: 2000 } }, kafka.brokers);
  }, 120000);

  afterAll(async () => {
    sending = false;
    await background;
    await ingestion?.close().catch(() => undefined);
    await kafka?.destroy();
  }, 60000);

  it('answers 503 while Kafka is down, recovers when it is back, and loses no event answered 200', async () => {
    await Promise.all(Array.from({ length: 20 }, send));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(20);

    // Clients keep sending, a few at a time, through the stop and the restart.
    background = (async () => {
      while (sending) {
        await Promise.all([send(), send(), send()]);
        await sleep(50);
      }
    })();
    await sleep(300);

    phase = 'stopping';
    await kafka.stop();
    phase = 'down';
    const down = await Promise.all(Array.from({ length: 10 }, () => sendTrackCounted()));
    for (const answer of down) {
      expect(answer.status).toBe(503);
      // Answered within the publish timeout (2 s) and its one wait in the queue.
      expect(answer.ms).toBeLessThan(8000);
    }

    phase = 'restarting';
    await kafka.start();
    phase = 'back';
    const deadline = Date.now() + 60000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = (await sendTrackCounted()).status === 200;
      if (!recovered) await sleep(500);
    }
    expect(recovered).toBe(true);
    const after = await Promise.all(Array.from({ length: 20 }, () => sendTrackCounted()));
    expect(after.map((a) => a.status)).toEqual(Array(20).fill(200));

    sending = false;
    await background;
    const stored = new Set(
      (await readTopic(ingestion.kafka, ingestion.topic, answered200.size, 30000)).map((m) =>
        String(parseValue(m)['messageId']),
      ),
    );
    const lost = [...answered200].filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    expect(answers.some((a) => a.phase === 'down' && a.status === 503)).toBe(true);
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
  }, 240000);

  async function sendTrackCounted(): Promise<{ status: number; ms: number }> {
    const id = `outage-${++counter}`;
    const answer = await sendTrack(ingestion.url, id);
    answers.push({ id, phase, ...answer });
    if (answer.status === 200) answered200.add(id);
    return answer;
  }
});
