// A destination connected with OAuth, end to end: ingestion → Kafka → two translator replicas →
// the HubSpot emulator, with the real control plane (in-process) holding the connection. Access
// tokens expire mid-run (by their lifetime, and all at once) and every event is delivered once;
// a revoked grant shows "reconnect needed" and its events wait in the retry tiers until the user
// connects again, then arrive, once each.
import { HubspotEmulator } from '@manifold/emulators';
import { readTopicUntil, waitFor, waitForReports } from './test-support/harness';
import { connectWithOAuth } from '../../control-plane/src/test-support/oauth-consent';
import { RETRY_DELAYS_MS, startOAuthPipeline, type OAuthPipeline } from './test-support/oauth-pipeline';

const CLIENT = { clientId: 'manifold-app', clientSecret: 'manifold-app-secret-1234' };

describe('OAuth-connected HubSpot, end to end', () => {
  let hs: HubspotEmulator;
  let p: OAuthPipeline;

  beforeAll(async () => {
    hs = await new HubspotEmulator({
      portalId: '4242',
      burstPer10s: 100_000,
      // Tokens that lapse every 3 s: several refreshes happen during the run.
      oauth: { ...CLIENT, accessTokenTtlSeconds: 3 },
    }).start();
    p = await startOAuthPipeline({
      catalogId: 'hubspot',
      name: 'HubSpot',
      settings: { portalId: '4242', apiBaseUrl: hs.baseUrl },
      emulatorUrl: hs.baseUrl,
      client: CLIENT,
    });
  }, 90_000);

  afterAll(async () => {
    await p?.close();
    await hs?.close();
  });

  const events = (from: number, count: number) =>
    Array.from({ length: count }, (_v, i) => ({
      type: 'track',
      event: 'Plan Upgraded',
      messageId: `oauth-${from + i}`,
      userId: `user-${(from + i) % 9}`,
      properties: { email: `user${(from + i) % 9}@example.com`, n: from + i },
    }));
  const delivered = () => hs.events.map((e) => e.properties['n']).sort((a, b) => Number(a) - Number(b));

  it('delivers every event once while access tokens lapse and are replaced mid-run', async () => {
    const before = hs.oauth?.refreshCount() ?? 0;
    const started = Date.now();
    // Eight rounds over about 8 s: tokens lapse by their 3-s lifetime, and once all at once (a 401).
    for (let round = 0; round < 8; round++) {
      await p.send(events(round * 10, 10));
      if (round === 4) hs.oauth?.expireAccessTokens();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await waitFor(() => hs.events.length >= 80, 30_000, 'all 80 events at HubSpot');
    expect(delivered()).toEqual(Array.from({ length: 80 }, (_v, i) => i));
    expect(hs.duplicatesIgnored).toBe(0);
    const refreshes = (hs.oauth?.refreshCount() ?? 0) - before;
    // About one per lifetime (3 s, asked for again after 2.25 s) plus the forced one: never one per
    // replica or request.
    // At most one per 2.25 s of the run, plus the forced one (a slow machine makes the run longer).
    const lastDelivery = Math.max(...hs.requests.filter((r) => r.status === 204).map((r) => r.receivedAt));
    expect(refreshes).toBeGreaterThanOrEqual(3);
    expect(refreshes).toBeLessThanOrEqual(Math.ceil((lastDelivery - started) / 2250) + 1);
    // The forced expiry was met by a 401, one fresh token, and the request again.
    expect(hs.requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
    const { counts } = await waitForReports(
      p.kafka,
      p.reportsTopic,
      (c) => (c[`${p.destinationId}|delivered|`] ?? 0) >= 80,
    );
    expect(counts[`${p.destinationId}|delivered|`]).toBe(80);
    expect(Object.keys(counts).filter((k) => k.includes('|failed|'))).toEqual([]);
  }, 90_000);

  it('a revoked grant: reconnect needed, events wait (none lost), and arrive once after reconnecting', async () => {
    hs.oauth?.revokeAll();
    hs.oauth?.expireAccessTokens();
    await p.send(events(100, 10));
    await waitFor(
      async () => (await p.cp.client.destinations.getDestination(p.target)).oauth?.state === 'reconnect_needed',
      20_000,
      'the reconnect-needed state',
    );
    const read = await p.cp.client.destinations.getDestination(p.target);
    expect(read.oauth?.problem).toContain('invalid_grant');
    await waitForReports(
      p.kafka,
      p.reportsTopic,
      (c) => (c[`${p.destinationId}|retrying|OAUTH_RECONNECT_NEEDED`] ?? 0) >= 1,
    );
    expect(hs.events.filter((e) => Number(e.properties['n']) >= 100)).toEqual([]);

    await connectWithOAuth(p.cp.client, p.target);
    await waitFor(() => hs.events.length >= 90, 30_000, 'the waiting events after reconnecting');
    // What the translators wrote to Kafka (retries, traces) holds no access token.
    const names = p.translators[0]!.names;
    const topics = [names.eventTraces, ...names.retryTiers('hubspot', RETRY_DELAYS_MS).map((t) => t.topic)];
    const written: string[] = [];
    for (const topic of topics) {
      for (const message of await readTopicUntil(p.kafka, topic, () => false, 2000)) {
        written.push((message.value ?? Buffer.alloc(0)).toString('utf8'));
      }
    }
    expect(written.join('\n')).toContain('OAUTH_RECONNECT_NEEDED');
    for (const token of hs.oauth?.issuedAccessTokens() ?? []) expect(written.join('\n')).not.toContain(token);
    expect(delivered()).toEqual([
      ...Array.from({ length: 80 }, (_v, i) => i),
      ...Array.from({ length: 10 }, (_v, i) => 100 + i),
    ]);
    expect(hs.duplicatesIgnored).toBe(0);
  }, 90_000);
});
