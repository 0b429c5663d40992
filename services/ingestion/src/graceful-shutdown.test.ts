import { requireKafka, testInfrastructure } from '@manifold/testing';
import { parseValue, readTopic, startTestIngestion, WRITE_KEY } from './test-support/harness';

interface Answer {
  id: string;
  status: number;
  error?: string;
}

describe('shutting ingestion down under load', () => {
  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
  });

  it('answers the requests in progress, stores every event it answered 200, then stops', async () => {
    const ingestion = await startTestIngestion();
    let answered = 0;
    const sent: Array<Promise<Answer>> = Array.from({ length: 300 }, (_, i) =>
      fetch(`${ingestion.url}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writeKey: WRITE_KEY, userId: `u-${i % 7}`, event: 'Shutdown', messageId: `sd-${i}` }),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          answered++;
          return { id: `sd-${i}`, status: res.status };
        },
        (error: unknown) => ({ id: `sd-${i}`, status: 0, error: String((error as Error).cause ?? error) }),
      ),
    );
    // Stop once the service is busy: some requests answered, many more still in progress.
    while (answered < 20) await new Promise((resolve) => setTimeout(resolve, 1));
    const closing = ingestion.running.close();
    const answers = await Promise.all(sent);
    await closing;

    // No request got an error answer. Connections still waiting in the listen backlog when the
    // listener closes are reset by the kernel: clients see a network error and retry, and nothing
    // of theirs was taken (a shutdown delay lets a load balancer stop sending before that).
    expect(answers.filter((a) => a.status !== 200 && a.status !== 0)).toEqual([]);
    const errors = new Set(answers.filter((a) => a.status === 0).map((a) => a.error));
    for (const error of errors) expect(error).toMatch(/ECONNRESET|ECONNREFUSED|other side closed/);
    const ok = answers.filter((a) => a.status === 200).map((a) => a.id);
    expect(ok.length).toBeGreaterThanOrEqual(20);
    const stored = new Set(
      (await readTopic(ingestion.kafka, ingestion.topic, ok.length)).map((m) => String(parseValue(m)['messageId'])),
    );
    expect(ok.filter((id) => !stored.has(id))).toEqual([]);
    await expect(fetch(`${ingestion.url}/v1/track`, { method: 'POST', body: '{}' })).rejects.toThrow();
    await ingestion.kafka.disconnect();
  });

  it('keeps serving through the shutdown delay, while a load balancer stops sending', async () => {
    const ingestion = await startTestIngestion({}, testInfrastructure().kafkaBrokers, 1500);
    const closing = ingestion.running.close();
    const during = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${ingestion.url}/v1/track`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ writeKey: WRITE_KEY, userId: 'late', event: 'During Delay', messageId: `delay-${i}` }),
        }).then((res) => res.status),
      ),
    );
    expect(during).toEqual(Array(20).fill(200));
    await closing;
    const stored = await readTopic(ingestion.kafka, ingestion.topic, 20);
    expect(stored).toHaveLength(20);
    await ingestion.kafka.disconnect();
  });
});
