// A destination connected with OAuth, end to end: ingestion → Kafka → two translator replicas →
// the HubSpot emulator, with the real control plane (in-process) holding the connection. Access
// tokens expire mid-run (by their lifetime, and all at once) and every event is delivered once;
// a revoked grant shows "reconnect needed" and its events wait in the retry tiers until the user
// connects again, then arrive, once each.
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { HubspotEmulator } from '@manifold/emulators';
import { startIngestion, ingestionSettings, type RunningIngestion } from '@manifold/ingestion';
import { KafkaNames } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { metrics, trace } from '@manifold/telemetry';
import { requireKafka, testInfrastructure, testLogger, testTopicPrefix, uniqueName } from '@manifold/testing';
import { request } from 'undici';
import { defaultCatalog } from '../../control-plane/src/default-catalog';
import { startTestControlPlane, type Harness } from '../../control-plane/src/test-support/harness';
import { connectWithOAuth, emulatorOAuthClients } from '../../control-plane/src/test-support/oauth-consent';
import { readTopicUntil, waitFor, waitForReports } from './test-support/harness';
import { translatorSettings } from './settings';
import { startTranslator, type RunningTranslator } from './start-translator';

const CLIENT = { clientId: 'manifold-app', clientSecret: 'manifold-app-secret-1234' };
const TARGET = { workspace: 'crm', destination: 'HubSpot' };

describe('OAuth-connected HubSpot, end to end', () => {
  let hs: HubspotEmulator;
  let cp: Harness;
  let kafka: KafkaClient;
  let mongo: MongoConnection;
  const views: ConfigStreamClient[] = [];
  const translators: RunningTranslator[] = [];
  let ingestion: RunningIngestion;
  let writeKey: string;
  let destinationId: string;
  let reportsTopic: string;

  beforeAll(async () => {
    const { kafkaBrokers, mongoUrl } = testInfrastructure();
    await requireKafka(kafkaBrokers);
    hs = await new HubspotEmulator({
      portalId: '4242',
      burstPer10s: 100_000,
      // Tokens that lapse every 3 s: several refreshes happen during the run.
      oauth: { ...CLIENT, accessTokenTtlSeconds: 3 },
    }).start();
    const namespace = testTopicPrefix();
    cp = await startTestControlPlane({
      catalog: defaultCatalog(),
      kafkaBrokers,
      kafkaTopicPrefix: namespace,
      oauthClients: emulatorOAuthClients('hubspot', hs.baseUrl, CLIENT),
    });
    await cp.client.workspaces.createWorkspace({ slug: 'crm', name: 'CRM', ownerEmail: 'o@crm.test', members: [] });
    const web = await cp.client.sources.createSource({
      workspace: 'crm',
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    writeKey = web.writeKeys[0]?.key ?? '';
    destinationId = (
      await cp.client.destinations.createDestination({
        workspace: 'crm',
        name: 'HubSpot',
        catalogId: 'hubspot',
        settings: { portalId: '4242', apiBaseUrl: hs.baseUrl },
        sources: ['web'],
      })
    ).id;
    await connectWithOAuth(cp.client, TARGET);

    const logger = testLogger('e2e-oauth');
    kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName('e2e-oauth'), logger });
    mongo = await connectMongo({
      url: mongoUrl,
      database: uniqueName('e2eoauth').replace(/[^a-z0-9]/gi, ''),
      appName: 'e2e-oauth',
      logger,
    });
    const names = new KafkaNames(namespace);
    const settings = translatorSettings({
      destinationTypes: ['hubspot'],
      eventsTopic: names.events,
      namespace,
      eventsTopicPartitions: 4,
      topicPartitions: 2,
      retryDelaysMs: [300, 1000, 2000],
      reportIntervalMs: 200,
    });
    // Two replicas of one translator group, each with its own config stream, as two pods.
    for (let i = 0; i < 2; i++) {
      const view = await connectConfigStream({ address: cp.controlPlane.address, token: cp.token, logger });
      views.push(view);
      await waitFor(() => !!view.destination(destinationId), 10_000, 'the instance in the config stream');
      translators.push(
        await startTranslator({
          kafka,
          db: mongo.db,
          configView: view,
          logger,
          meter: metrics.getMeter(`e2e-oauth-${i}`),
          settings,
          accessTokens: (req) => cp.client.oauth.getOAuthAccessToken(req),
        }),
      );
    }
    reportsTopic = translators[0]!.names.deliveryReports;
    ingestion = await startIngestion({
      kafka,
      configView: views[0]!,
      logger,
      meter: metrics.getMeter('e2e-oauth-ingestion'),
      tracer: trace.getTracer('e2e-oauth-ingestion'),
      settings: ingestionSettings({ topic: names.events }),
      port: 0,
      host: '127.0.0.1',
      partitions: 4,
      replicationFactor: 1,
      drainTimeoutMs: 2000,
    });
  }, 90_000);

  afterAll(async () => {
    await ingestion?.close();
    await Promise.all(translators.map((t) => t.stop()));
    await Promise.all(views.map((v) => v.close()));
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await kafka?.disconnect();
    await cp?.stop();
    await hs?.close();
  });

  async function send(batch: unknown[]): Promise<void> {
    const response = await request(`${ingestion.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch }),
    });
    await response.body.text();
    expect(response.statusCode).toBe(200);
  }

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
      await send(events(round * 10, 10));
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
    const { counts } = await waitForReports(kafka, reportsTopic, (c) => (c[`${destinationId}|delivered|`] ?? 0) >= 80);
    expect(counts[`${destinationId}|delivered|`]).toBe(80);
    expect(Object.keys(counts).filter((k) => k.includes('|failed|'))).toEqual([]);
  }, 90_000);

  it('a revoked grant: reconnect needed, events wait (none lost), and arrive once after reconnecting', async () => {
    hs.oauth?.revokeAll();
    hs.oauth?.expireAccessTokens();
    await send(events(100, 10));
    await waitFor(
      async () => (await cp.client.destinations.getDestination(TARGET)).oauth?.state === 'reconnect_needed',
      20_000,
      'the reconnect-needed state',
    );
    const read = await cp.client.destinations.getDestination(TARGET);
    expect(read.oauth?.problem).toContain('invalid_grant');
    await waitForReports(kafka, reportsTopic, (c) => (c[`${destinationId}|retrying|OAUTH_RECONNECT_NEEDED`] ?? 0) >= 1);
    expect(hs.events.filter((e) => Number(e.properties['n']) >= 100)).toEqual([]);

    await connectWithOAuth(cp.client, TARGET);
    await waitFor(() => hs.events.length >= 90, 30_000, 'the waiting events after reconnecting');
    // What the translators wrote to Kafka (retries, traces) holds no access token.
    const names = translators[0]!.names;
    const topics = [names.eventTraces, ...names.retryTiers('hubspot', [300, 1000, 2000]).map((t) => t.topic)];
    const written: string[] = [];
    for (const topic of topics) {
      for (const message of await readTopicUntil(kafka, topic, () => false, 2000)) {
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
