import { request } from 'node:http';
import { KafkaClient } from '@manifold/kafka';
import {
  eventually,
  parsePrometheusText,
  readTopicUntil,
  requireKafka,
  testInfrastructure,
  testLogger,
  uniqueName,
} from '@manifold/testing';
import { basicAuth, parseValue, SOURCE_ID, WRITE_KEY } from './test-support/harness';
import { startIngestionProcess, type IngestionChild } from './test-support/ingestion-process';

const ADMIN_TOKEN = 'workers-test-admin-token';

interface Answer {
  id: string;
  status: number;
}

/**
 * One track call on a connection of its own (the cluster hands each new connection to the next
 * worker); status 0 when the connection failed.
 */
function track(url: string, id: string): Promise<Answer> {
  const body = JSON.stringify({ userId: `u-${id}`, event: 'Worker Test', messageId: id });
  return new Promise((resolve) => {
    const req = request(
      `${url}/v1/track`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: basicAuth(WRITE_KEY) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ id, status: res.statusCode ?? 0 }));
        res.on('error', () => resolve({ id, status: 0 }));
      },
    );
    req.on('error', () => resolve({ id, status: 0 }));
    // A call that gets no answer fails the test by its status rather than hanging it.
    req.setTimeout(15000, () => req.destroy());
    req.end(body);
  });
}

/** Sends calls one after the other from `senders` loops until `stop()` says so. */
function sendUntil(url: string, prefix: string, senders: number, stop: () => boolean): Promise<Answer[]> {
  const answers: Answer[] = [];
  let n = 0;
  const loop = async (): Promise<void> => {
    while (!stop()) answers.push(await track(url, `${prefix}-${n++}`));
  };
  return Promise.all(Array.from({ length: senders }, loop)).then(() => answers);
}

async function storedIds(kafka: KafkaClient, topic: string, expected: readonly string[]): Promise<Set<string>> {
  const want = new Set(expected);
  const stored = new Set<string>();
  await readTopicUntil(kafka, topic, (messages) => {
    for (const m of messages.slice(stored.size)) stored.add(String(parseValue(m)['messageId']));
    return [...want].every((id) => stored.has(id));
  });
  return stored;
}

async function metricsByWorker(child: IngestionChild, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${child.adminUrl}/metrics`)).text();
  const byWorker = new Map<string, number>();
  for (const sample of parsePrometheusText(text).get(name)?.samples ?? []) {
    {
      const worker = sample.labels['worker'] ?? 'none';
      byWorker.set(worker, (byWorker.get(worker) ?? 0) + sample.value);
    }
  }
  return byWorker;
}

// Each case starts real processes (a worker's start compiles the sources through tsx): slow on a busy machine.
jest.setTimeout(120_000);

describe('ingestion workers mode (INGESTION_WORKERS=2)', () => {
  const brokers = testInfrastructure().kafkaBrokers;
  let kafka: KafkaClient;

  beforeAll(async () => {
    await requireKafka(brokers);
    kafka = new KafkaClient({ brokers, clientId: uniqueName('workers-test'), logger: testLogger('workers-test') });
  });
  afterAll(async () => {
    await kafka.disconnect();
  });

  it('serves and publishes from every worker, shows one /metrics, and replaces a worker killed under load without losing an acknowledged event', async () => {
    const child = await startIngestionProcess({ INGESTION_WORKERS: '2' });
    try {
      const pids = child.workerPids();
      expect(pids).toHaveLength(2);

      const first = await Promise.all(Array.from({ length: 40 }, (_, i) => track(child.url, `spread-${i}`)));
      expect(first.filter((a) => a.status !== 200)).toEqual([]);
      const accepted = await metricsByWorker(child, 'manifold_ingestion_events_accepted_total');
      expect([...accepted.keys()].sort()).toEqual(['0', '1']);
      for (const count of accepted.values()) expect(count).toBeGreaterThan(0);

      // SIGKILL one worker while calls keep coming; the other keeps serving, a new one replaces it.
      let stop = false;
      const sending = sendUntil(child.url, 'kill', 4, () => stop);
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(pids[0] as number, 'SIGKILL');
      const replaced = await eventually(
        async () => child.workerPids(),
        (now) => now.length === 2 && !now.includes(pids[0] as number),
      );
      await eventually(
        async () => (await fetch(`${child.adminUrl}/readyz`)).json() as Promise<{ workers: unknown[] }>,
        (ready) => ready.workers.length === 2,
      );
      stop = true;
      const answers = await sending;
      const acked = answers.filter((a) => a.status === 200).length;
      // A connection the killed worker held is cut (status 0); nothing else may fail.
      expect(answers.filter((a) => a.status !== 200 && a.status !== 0)).toEqual([]);
      expect(acked).toBeGreaterThan(10);
      const ok = [...first, ...answers].filter((a) => a.status === 200).map((a) => a.id);
      const stored = await storedIds(kafka, child.topic, ok);
      expect(ok.filter((id) => !stored.has(id))).toEqual([]);

      // The new worker serves and publishes too.
      const after = await Promise.all(Array.from({ length: 20 }, (_, i) => track(child.url, `after-${i}`)));
      expect(after.filter((a) => a.status !== 200)).toEqual([]);
      expect(replaced).toContain(pids[1]);
      const rss = await metricsByWorker(child, 'manifold_ingestion_process_resident_memory_bytes');
      expect([...rss.keys()].sort()).toEqual(['0', '1']);
      for (const bytes of rss.values()) expect(bytes).toBeLessThan(200 * 1024 * 1024);
    } finally {
      await child.stop();
    }
  });

  it('on SIGTERM drains every worker: each call answered 200 is in Kafka, then all workers exit', async () => {
    const child = await startIngestionProcess({ INGESTION_WORKERS: '2' });
    const pids = child.workerPids();
    expect(pids).toHaveLength(2);
    let stop = false;
    const sending = sendUntil(child.url, 'drain', 6, () => stop);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const exited = new Promise<number | null>((resolve) => child.child.once('exit', (code) => resolve(code)));
    child.child.kill('SIGTERM');
    const code = await exited;
    stop = true;
    const answers = await sending;
    expect(code).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    // Connections refused or reset once the listener closed are retried by clients; nothing
    // they sent was taken.
    expect(answers.filter((a) => a.status !== 200 && a.status !== 0)).toEqual([]);
    const ok = answers.filter((a) => a.status === 200).map((a) => a.id);
    expect(ok.length).toBeGreaterThan(10);
    const stored = await storedIds(kafka, child.topic, ok);
    expect(ok.filter((id) => !stored.has(id))).toEqual([]);
    await child.stop();
  });

  describe.each([1, 2])('with %i worker(s)', (workers) => {
    it('the live debugger shows the events every worker received, recent and live', async () => {
      const child = await startIngestionProcess({
        INGESTION_WORKERS: String(workers),
        INGESTION_ADMIN_TOKEN: ADMIN_TOKEN,
      });
      try {
        const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
        const before = await Promise.all(Array.from({ length: 10 }, (_, i) => track(child.url, `recent-${i}`)));
        expect(before.every((a) => a.status === 200)).toBe(true);
        const recent = (await (
          await fetch(`${child.url}/debugger/sources/${SOURCE_ID}/events`, { headers: auth })
        ).json()) as { events: Array<{ messageId: string; seq: number }> };
        expect(recent.events.map((e) => e.messageId).sort()).toEqual(before.map((a) => a.id).sort());

        const stream = await fetch(`${child.url}/debugger/sources/${SOURCE_ID}/stream?recent=0`, { headers: auth });
        const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let text = '';
        // The stream is open (its first comment) before the live calls are sent.
        while (!text.includes(': connected')) text += decoder.decode((await reader.read()).value, { stream: true });
        const live = await Promise.all(Array.from({ length: 10 }, (_, i) => track(child.url, `live-${i}`)));
        expect(live.every((a) => a.status === 200)).toBe(true);
        const seen = (): string[] =>
          [...text.matchAll(/^data: (.*)$/gm)].map(
            (m) => (JSON.parse(m[1] as string) as { messageId: string }).messageId,
          );
        const deadline = Date.now() + 10000;
        while (seen().length < 10 && Date.now() < deadline) {
          text += decoder.decode((await reader.read()).value, { stream: true });
        }
        expect(seen().sort()).toEqual(live.map((a) => a.id).sort());
        await reader.cancel();
      } finally {
        await child.stop();
      }
    });

    it('the rate limit of a write key holds across workers', async () => {
      const child = await startIngestionProcess({
        INGESTION_WORKERS: String(workers),
        RATE_LIMIT_REQUESTS_PER_SECOND: '2',
        RATE_LIMIT_BURST: '4',
      });
      try {
        // One call at a time, each on a new connection (so each worker gets its share), spaced
        // more than the interval at which workers tell each other what they took.
        const started = performance.now();
        const answers: Answer[] = [];
        for (let i = 0; i < 12; i++) {
          answers.push(await track(child.url, `rate-${i}`));
          await new Promise((resolve) => setTimeout(resolve, 60));
        }
        const seconds = (performance.now() - started) / 1000;
        const ok = answers.filter((a) => a.status === 200).length;
        expect(answers.filter((a) => a.status !== 200 && a.status !== 429)).toEqual([]);
        // The burst, plus what refilled meanwhile: per-worker buckets would let twice the burst through.
        expect(ok).toBeGreaterThanOrEqual(4);
        expect(ok).toBeLessThanOrEqual(4 + Math.floor(2 * seconds));
      } finally {
        await child.stop();
      }
    });
  });
});
