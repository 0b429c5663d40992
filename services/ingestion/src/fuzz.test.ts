import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { KafkaClient } from '@manifold/kafka';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { basicAuth, parseValue, readTopic, SOURCE_ID, WRITE_KEY } from './test-support/harness';
import { FUZZ_ADMIN_TOKEN, hostileRequest, type HostileRequest } from './test-support/hostile-requests';
import { startIngestionProcess, type IngestionChild } from './test-support/ingestion-process';

interface Outcome {
  status: number;
  body: Buffer;
  contentType: string | undefined;
}

/** FUZZ_SEED=<n> replays a run (the seed of a failed run is in its message); FUZZ_RUNS for more. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261202);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3000);
const TIME_LIMIT_MS = 45000;

function send(base: URL, agent: Agent, hostile: HostileRequest): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: hostile.method,
        path: hostile.path,
        headers: hostile.body ? { ...hostile.headers, 'content-length': hostile.body.length } : hostile.headers,
        agent,
        timeout: 20000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            contentType: res.headers['content-type'],
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    req.end(hostile.body);
  });
}

function describeRequest(hostile: HostileRequest): string {
  const body = hostile.body ? `${hostile.body.length} bytes: ${hostile.body.subarray(0, 300).toString('latin1')}` : '';
  return `${hostile.kind} ${hostile.method} ${hostile.path.slice(0, 200)} ${JSON.stringify(hostile.headers).slice(0, 300)} ${body}`;
}

/**
 * Thousands of generated hostile requests against a real ingestion process on the real Kafka:
 * malformed and odd JSON, every content type and encoding (gzip bombs included), huge and deep
 * values, odd unicode and NUL bytes, prototype keys, bad write keys in every place, wrong types
 * in every field, timestamps at the edges, huge batches. None may get a 5xx or hang, the Tracking
 * API always answers JSON, and afterwards the process is healthy and stores a normal event.
 */
describe('ingestion under generated hostile requests', () => {
  let ingestion: IngestionChild;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    ingestion = await startIngestionProcess({ INGESTION_ADMIN_TOKEN: FUZZ_ADMIN_TOKEN });
  }, 60000);

  afterAll(async () => {
    agent.destroy();
    await ingestion?.stop();
  }, 30000);

  it('answers every one without a 5xx and stays healthy', async () => {
    const base = new URL(ingestion.url);
    const statuses = new Map<number, number>();
    const networkErrors: string[] = [];

    const details = await fc.check(
      fc.asyncProperty(hostileRequest, async (hostile) => {
        if (ingestion.child.exitCode !== null || ingestion.child.signalCode !== null) {
          throw new Error(`the ingestion process is gone (${ingestion.child.exitCode ?? ingestion.child.signalCode})`);
        }
        let outcome: Outcome;
        try {
          outcome = await send(base, agent, hostile);
        } catch (error) {
          // The server may close a connection on a body it refused before reading it all (the
          // client is still writing): that is an answer too, as long as the process lives on.
          const message = String((error as Error).message);
          if (!/ECONNRESET|EPIPE|socket hang up/.test(message)) throw error;
          networkErrors.push(`${message}: ${hostile.kind} ${hostile.body?.length ?? 0} bytes`);
          return;
        }
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        if (outcome.status >= 500) {
          throw new Error(`answered ${outcome.status}: ${outcome.body.toString('utf8').slice(0, 300)}`);
        }
        if (hostile.kind.startsWith('call') || hostile.kind.startsWith('batch')) {
          expect(outcome.contentType).toContain('application/json');
          const answer = JSON.parse(outcome.body.toString('utf8')) as Record<string, unknown>;
          expect(typeof answer['success']).toBe('boolean');
        }
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    process.stderr.write(
      `fuzz: seed ${SEED}, ${details.numRuns} requests${details.interrupted ? ' (stopped by the time limit)' : ''}; ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${networkErrors.length} connections closed by the server\n`,
    );
    if (details.failed) {
      const example = details.counterexample?.[0];
      throw new Error(
        `seed ${SEED}, path ${details.counterexamplePath}: ${String(details.errorInstance)}\n` +
          (example ? describeRequest(example) : ''),
      );
    }
    // Normally all of them in 15-30 s; on a machine busy with other work the time limit may stop it
    // earlier, but a run that tried next to nothing proves nothing.
    expect(details.numRuns).toBeGreaterThanOrEqual(Math.min(RUNS, 300));
    // Closed connections are the exception (a refused body still being written), not the rule.
    expect(networkErrors.length).toBeLessThan(details.numRuns / 20);

    // Healthy afterwards: alive, ready, its debugger readable, and a normal event stored.
    expect(ingestion.child.exitCode).toBeNull();
    expect((await fetch(`${ingestion.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${ingestion.adminUrl}/readyz`)).status).toBe(200);
    const debug = await fetch(`${ingestion.url}/debugger/sources/${SOURCE_ID}/events`, {
      headers: { authorization: `Bearer ${FUZZ_ADMIN_TOKEN}` },
    });
    expect(debug.status).toBe(200);
    expect(((await debug.json()) as { events: unknown[] }).events.length).toBeGreaterThan(0);

    const messageId = `fuzz-after-${SEED}`;
    const normal = await fetch(`${ingestion.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basicAuth(WRITE_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'after-fuzz', event: 'Still Fine', messageId }),
    });
    expect(normal.status).toBe(200);
    const kafka = new KafkaClient({
      brokers: testInfrastructure().kafkaBrokers,
      clientId: uniqueName('fuzz-reader'),
      logger: testLogger('fuzz'),
    });
    try {
      const ends = await kafka.endOffsets(ingestion.topic);
      const total = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
      const messages = await readTopic(kafka, ingestion.topic, total);
      expect(messages.map((m) => parseValue(m)['messageId'])).toContain(messageId);
    } finally {
      await kafka.disconnect();
    }
  }, 120000);
});
