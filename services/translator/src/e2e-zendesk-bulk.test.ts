// Zendesk with batched identifies, end to end: ingestion (Tracking API, in-process) → Kafka → the
// translator → the Zendesk emulator, users going together through users/create_or_update_many and
// the job's status read once. While the API answers 5xx and then 429 for a while, every user is
// upserted exactly once per accepted job, a user Zendesk refuses inside a job is dead-lettered
// alone, and a client resending part of a batch changes nothing.
import { ZendeskEmulator } from '@manifold/emulators';
import { uniqueName, waitFor } from '@manifold/testing';
import { startPipeline, type Pipeline } from './test-support/e2e';
import { destination, snapshot, waitForReports } from './test-support/harness';

const run = uniqueName('zendesk-bulk');

describe('end to end: Zendesk users in bulk jobs', () => {
  let zendesk: ZendeskEmulator;
  let pipeline: Pipeline;

  beforeAll(async () => {
    zendesk = await new ZendeskEmulator({ agentEmail: 'admin@acme.test', apiToken: 'zd-token' }).start();
    const settings = {
      subdomain: 'acme',
      email: 'admin@acme.test',
      apiToken: 'zd-token',
      apiBaseUrl: zendesk.baseUrl,
      batchSize: 100,
    };
    pipeline = await startPipeline({
      snapshot: snapshot([destination({ id: 'dest-zendesk', catalogId: 'zendesk', catalogName: 'Zendesk', settings })]),
      settings: { destinationTypes: ['zendesk'] },
    });
  }, 60000);

  afterAll(async () => {
    await pipeline?.close();
    await zendesk?.close();
  });

  it('answering 5xx and then 429 for a while, every user lands once in an accepted job; a refused one alone is dead-lettered', async () => {
    const identifies = Array.from({ length: 30 }, (_v, n) => ({
      type: 'identify',
      messageId: `${run}-identify-${n}`,
      userId: `bulk-${n}`,
      // bulk-7 is new and nameless: Zendesk refuses it inside the job.
      traits: n === 7 ? { email: `bulk-${n}@example.com` } : { email: `bulk-${n}@example.com`, name: `Reader ${n}` },
    }));
    zendesk.failFor(1500, { status: 502 });
    zendesk.failNext(3, { status: 429, retryAfterSeconds: 1, body: { error: 'TooManyRequests' } });
    for (let i = 0; i < identifies.length; i += 10) {
      expect(await pipeline.track('/v1/batch', { batch: identifies.slice(i, i + 10) })).toBe(200);
    }
    // A client resending part of a batch: the same messageIds again.
    expect(await pipeline.track('/v1/batch', { batch: identifies.slice(0, 5) })).toBe(200);

    /**
     * The users Zendesk accepted, by external id: in jobs (a bulk request answered 200), or alone
     * (an identify that came on its own, 200 or 201), as many times as accepted.
     */
    const accepted = () =>
      zendesk.requests
        .filter((r) => r.status < 300 && !r.injected)
        .flatMap((r) => {
          if (r.path === '/api/v2/users/create_or_update_many') {
            return (JSON.parse(r.body) as { users: { external_id: string }[] }).users.map((u) => u.external_id);
          }
          if (r.path === '/api/v2/users/create_or_update') {
            return [(JSON.parse(r.body) as { user: { external_id: string } }).user.external_id];
          }
          return [];
        })
        .sort();
    const failed = (c: Record<string, number>) =>
      Object.entries(c)
        .filter(([key]) => key.startsWith('dest-zendesk|failed|'))
        .reduce((sum, [, n]) => sum + n, 0);
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      pipeline.translator.translator.names.deliveryReports,
      (c) => (c['dest-zendesk|delivered|'] ?? 0) >= 29 && failed(c) >= 1,
      60000,
    );
    await waitFor(() => accepted().length >= 29, 10000, 'every user accepted');
    expect(counts['dest-zendesk|delivered|']).toBe(29);
    expect(failed(counts)).toBe(1);
    // Each user accepted exactly once (a job taken is never sent again); bulk-7 is in a job, refused
    // there, unless it came alone (then refused by a 422 and not counted here).
    expect(accepted().filter((id) => id !== 'bulk-7')).toEqual(
      identifies
        .map((e) => e.userId)
        .filter((id) => id !== 'bulk-7')
        .sort(),
    );
    expect(zendesk.requests.some((r) => r.injected && r.status === 502)).toBe(true);
    expect(zendesk.requests.filter((r) => r.injected && r.status === 429)).toHaveLength(3);
    // Batched: most users went in jobs of several.
    const jobs = zendesk.requests.filter(
      (r) => r.path === '/api/v2/users/create_or_update_many' && r.status === 200 && !r.injected,
    );
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.length).toBeLessThan(15);
    expect(zendesk.users.filter((u) => String(u.fields['external_id']).startsWith('bulk-'))).toHaveLength(29);
    expect(zendesk.userBy('external_id', 'bulk-7')).toBeUndefined();
  }, 90000);
});
