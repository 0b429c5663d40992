import { request as httpRequest } from 'node:http';
import { KafkaClient } from '@manifold/kafka';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { basicAuth, startTestIngestion, WRITE_KEY } from './test-support/harness';
import { startIngestionProcess, type IngestionChild } from './test-support/ingestion-process';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

async function post(url: string, body: string): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basicAuth(WRITE_KEY) },
    body,
    signal: AbortSignal.timeout(60000),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, ms: Date.now() - started };
}

/**
 * A batch whose shared `context` every item receives: `contextBytes` of context and 2,500 small
 * items, a body of about 240 KB. Merged naively, it becomes 2,500 events of the context's size.
 */
function amplifiedBatch(contextBytes: number, tag: string): string {
  return JSON.stringify({
    context: { padding: 'c'.repeat(contextBytes) },
    batch: Array.from({ length: 2500 }, (_, i) => ({
      type: 'track',
      userId: `u-${i % 50}`,
      event: 'Amplified',
      messageId: `${tag}-${i}`,
    })),
  });
}

type Rejected = Array<{ index: number; code: string; message: string }>;

describe('memory a request can take', () => {
  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
  });

  describe('in a process of its own, under amplified batches', () => {
    let ingestion: IngestionChild;

    beforeAll(async () => {
      ingestion = await startIngestionProcess();
    }, 60000);

    afterAll(async () => {
      await ingestion?.stop();
    }, 30000);

    it('refuses or bounds them, stays under 250 MB, answers normal requests promptly and stores what it accepted', async () => {
      const before = ingestion.memoryMb();
      // Each item with the 35 KB context is over 32 KB: the whole batch is refused, item by item.
      const overItemLimit = amplifiedBatch(35000, 'over');
      // Each item with the 30 KB context fits in 32 KB, but 2,500 of them would be 75 MB.
      const overBatchBound = amplifiedBatch(30000, 'bound');
      expect(overItemLimit.length).toBeLessThan(250 * 1024);

      let attacking = true;
      const normal: Answer[] = [];
      const normalTraffic = (async () => {
        for (let i = 0; attacking; i++) {
          normal.push(
            await post(
              `${ingestion.url}/v1/track`,
              JSON.stringify({ userId: 'steady', event: 'Normal', messageId: `normal-${i}` }),
            ),
          );
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();

      const attacks: Answer[] = [];
      await Promise.all(
        Array.from({ length: 6 }, async (_, worker) => {
          for (let round = 0; round < 4; round++) {
            // One of the six workers sends the batch whose items fit the per-call limit.
            const body = worker === 0 ? overBatchBound.replaceAll('bound-', `bound-${round}-`) : overItemLimit;
            attacks.push(await post(`${ingestion.url}/v1/batch`, body));
          }
        }),
      );
      attacking = false;
      await normalTraffic;
      const after = ingestion.memoryMb();

      // No answer is an error of ours; a 503 (too much waiting for Kafka) is retried by SDKs.
      expect(attacks.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
      const refused = attacks.filter((a) => a.body['code'] === 'empty_batch_result');
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const answer of refused) {
        const rejected = answer.body['rejected'] as Rejected;
        expect(rejected).toHaveLength(2500);
        expect(rejected[0]?.message).toMatch(/with the batch's context and integrations .*32 KB per call/);
      }
      const bounded = attacks.filter((a) => a.status === 200);
      expect(bounded.length).toBeGreaterThanOrEqual(1);
      let acceptedEvents = 0;
      for (const answer of bounded) {
        const rejected = answer.body['rejected'] as Rejected;
        // About 4 MB of 30 KB events are accepted, the rest listed as rejected.
        expect(2500 - rejected.length).toBeGreaterThan(100);
        expect(2500 - rejected.length).toBeLessThan(150);
        expect(rejected.at(-1)?.message).toContain('send this one in another batch');
        acceptedEvents += 2500 - rejected.length;
      }

      expect(after.peak).toBeLessThan(250);
      expect(normal.length).toBeGreaterThan(0);
      expect(normal.filter((a) => a.status !== 200)).toEqual([]);
      // Loaded shared machine: generous, but far from the seconds an unbounded batch blocked for.
      expect(Math.max(...normal.map((a) => a.ms))).toBeLessThan(5000);

      // Everything answered 200 is in Kafka, and nothing more.
      const kafka = new KafkaClient({
        brokers: testInfrastructure().kafkaBrokers,
        clientId: uniqueName('memory-bounds'),
        logger: testLogger('memory-bounds'),
      });
      const ends = await kafka.endOffsets(ingestion.topic);
      await kafka.disconnect();
      expect([...ends.values()].reduce((sum, end) => sum + Number(end), 0)).toBe(acceptedEvents + normal.length);
      process.stderr.write(
        `memory-bounds: RSS ${before.rss.toFixed(0)} MB before, peak ${after.peak.toFixed(0)} MB; ` +
          `${attacks.length} attacks (${bounded.length} bounded, ${refused.length} refused); ` +
          `${normal.length} normal requests, slowest ${Math.max(...normal.map((a) => a.ms))} ms\n`,
      );
    }, 120000);
  });

  it('answers 503 once the bodies being received at once would pass their bound', async () => {
    const ingestion = await startTestIngestion({ limits: { maxReceivingBytes: 300 * 1024 } });
    const { port } = new URL(ingestion.url);
    // Slow uploads: 120 KB of a declared 400 KB body each, then nothing more.
    const slow = Array.from({ length: 2 }, () => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/batch',
        headers: { 'content-type': 'application/json', 'content-length': String(400 * 1024) },
      });
      req.on('error', () => undefined);
      req.write(`{"batch":[{"type":"track","userId":"u","event":"E","properties":{"p":"${'p'.repeat(120 * 1024)}`);
      return req;
    });
    try {
      // Wait until the server holds both partial bodies.
      let answer: Answer | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        answer = await post(
          `${ingestion.url}/v1/batch`,
          JSON.stringify({
            batch: [{ type: 'track', userId: 'u', event: 'E', properties: { p: 'q'.repeat(100 * 1024) } }],
          }),
        );
        if (answer.status === 503) break;
      }
      expect(answer).toMatchObject({ status: 503, body: { code: 'unavailable' } });
      expect(String(answer?.body['message'])).toContain('request bodies');
      // A small request still fits.
      const small = await post(`${ingestion.url}/v1/track`, JSON.stringify({ userId: 'u', event: 'Small' }));
      expect(small.status).toBe(200);
    } finally {
      for (const req of slow) req.destroy();
      await ingestion.close();
    }
  });
});
