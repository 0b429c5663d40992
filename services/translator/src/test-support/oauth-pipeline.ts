import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import type { OAuthProvider } from '@manifold/emulators';
import { KafkaNames } from '@manifold/events';
import { startIngestion, ingestionSettings, type RunningIngestion } from '@manifold/ingestion';
import { KafkaClient } from '@manifold/kafka';
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { metrics, trace } from '@manifold/telemetry';
import { requireKafka, testInfrastructure, testLogger, testTopicPrefix, uniqueName } from '@manifold/testing';
import { request } from 'undici';
import { defaultCatalog } from '../../../control-plane/src/default-catalog';
import { startTestControlPlane, type Harness } from '../../../control-plane/src/test-support/harness';
import { connectWithOAuth, emulatorOAuthClients } from '../../../control-plane/src/test-support/oauth-consent';
import { translatorSettings } from '../settings';
import { startTranslator, type RunningTranslator } from '../start-translator';
import { waitFor } from './harness';

// The whole path of an OAuth-connected destination, for end-to-end tests: the real control plane
// (in-process) whose OAuth app points at an emulator's authorization server, one instance of the
// type connected through the consent page, ingestion, and two translator replicas of one group
// (each with its own config stream, as two pods) that get access tokens from the control plane.

export const RETRY_DELAYS_MS = [300, 1000, 2000];

export interface OAuthPipelineOptions {
  catalogId: string;
  /** The instance's name (also how tests address it). */
  name: string;
  /** Settings the instance is created with (the emulator's API host, ...). */
  settings: Record<string, unknown>;
  emulatorUrl: string;
  client: { clientId: string; clientSecret: string };
  /** Paths of the emulator's authorize page and token endpoint (`/oauth/...` unless given). */
  oauthPaths?: { authorize: string; token: string };
}

export interface OAuthPipeline {
  cp: Harness;
  kafka: KafkaClient;
  translators: RunningTranslator[];
  destinationId: string;
  reportsTopic: string;
  target: { workspace: string; destination: string };
  /** Posts a batch to ingestion with the source's write key (expects 200). */
  send(batch: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export async function startOAuthPipeline(options: OAuthPipelineOptions): Promise<OAuthPipeline> {
  const { kafkaBrokers, mongoUrl } = testInfrastructure();
  await requireKafka(kafkaBrokers);
  const namespace = testTopicPrefix();
  const cp = await startTestControlPlane({
    catalog: defaultCatalog(),
    kafkaBrokers,
    kafkaTopicPrefix: namespace,
    oauthClients: emulatorOAuthClients(options.catalogId, options.emulatorUrl, options.client, options.oauthPaths),
  });
  const target = { workspace: 'crm', destination: options.name };
  await cp.client.workspaces.createWorkspace({ slug: 'crm', name: 'CRM', ownerEmail: 'o@crm.test', members: [] });
  const web = await cp.client.sources.createSource({
    workspace: 'crm',
    slug: 'web',
    name: 'Web',
    environment: 'prod',
    type: 'javascript',
    category: 'website',
  });
  const writeKey = web.writeKeys[0]?.key ?? '';
  const destinationId = (
    await cp.client.destinations.createDestination({
      workspace: 'crm',
      name: options.name,
      catalogId: options.catalogId,
      settings: options.settings,
      sources: ['web'],
    })
  ).id;
  await connectWithOAuth(cp.client, target);

  const logger = testLogger(`e2e-oauth-${options.catalogId}`);
  const kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName('e2e-oauth'), logger });
  const mongo: MongoConnection = await connectMongo({
    url: mongoUrl,
    database: uniqueName('e2eoauth').replace(/[^a-z0-9]/gi, ''),
    appName: 'e2e-oauth',
    logger,
  });
  const names = new KafkaNames(namespace);
  const settings = translatorSettings({
    destinationTypes: [options.catalogId],
    eventsTopic: names.events,
    namespace,
    eventsTopicPartitions: 4,
    topicPartitions: 2,
    retryDelaysMs: RETRY_DELAYS_MS,
    reportIntervalMs: 200,
  });
  const views: ConfigStreamClient[] = [];
  const translators: RunningTranslator[] = [];
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
  const ingestion: RunningIngestion = await startIngestion({
    kafka,
    configView: views[0]!,
    logger,
    meter: metrics.getMeter('e2e-oauth-ingestion'),
    tracer: trace.getTracer('e2e-oauth-ingestion'),
    settings: ingestionSettings({ topic: names.events, planReports: { topic: names.planReports } }),
    port: 0,
    host: '127.0.0.1',
    partitions: 4,
    replicationFactor: 1,
    drainTimeoutMs: 2000,
  });

  return {
    cp,
    kafka,
    translators,
    destinationId,
    reportsTopic: translators[0]!.names.deliveryReports,
    target,
    async send(batch) {
      const response = await request(`${ingestion.url}/v1/batch`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        },
        body: JSON.stringify({ batch }),
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`ingestion answered ${response.statusCode}`);
    },
    async close() {
      await ingestion.close();
      await Promise.all(translators.map((t) => t.stop()));
      await Promise.all(views.map((v) => v.close()));
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
      await kafka.disconnect();
      await cp.stop();
    },
  };
}

/**
 * Every token the provider issued expired at once while the translators hold one they think good
 * for long: the next calls meet the API's 401, not a timely refresh. The provider first issues
 * long-lived tokens, the control plane refreshes once the current short one is due, and then all
 * are expired.
 */
export async function expireHeldTokens(p: OAuthPipeline, provider: OAuthProvider, dueInMs = 2500): Promise<void> {
  provider.setAccessTokenTtl(600);
  await new Promise((resolve) => setTimeout(resolve, dueInMs));
  await p.cp.client.oauth.getOAuthAccessToken({ destinationId: p.destinationId });
  provider.expireAccessTokens();
}
