// A translator fed by the real control plane (in-process): its config stream, and its report
// consumer reading what the translator reports, under a topic prefix of the test's own.
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { KafkaNames } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { metrics } from '@manifold/telemetry';
import { requireKafka, testInfrastructure, testLogger, testTopicPrefix, uniqueName } from '@manifold/testing';
import { startTestControlPlane, type Harness } from '../../../control-plane/src/test-support/harness';
import { translatorSettings, type TranslatorSettings } from '../settings';
import { startTranslator, type RunningTranslator } from '../start-translator';

export interface TranslatorOnControlPlane {
  cp: Harness;
  kafka: KafkaClient;
  configView: ConfigStreamClient;
  translator: RunningTranslator;
  eventsTopic: string;
  close(): Promise<void>;
}

/** Webhook translation with the product catalog; `settings` override the test defaults. */
export async function startTranslatorOnControlPlane(
  name: string,
  settings: Partial<TranslatorSettings> = {},
): Promise<TranslatorOnControlPlane> {
  const { kafkaBrokers, mongoUrl } = testInfrastructure();
  await requireKafka(kafkaBrokers);
  const logger = testLogger(name);
  const namespace = testTopicPrefix();
  const cp = await startTestControlPlane({ catalog: undefined, kafkaBrokers, kafkaTopicPrefix: namespace });
  const kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName(name), logger });
  const mongo: MongoConnection = await connectMongo({
    url: mongoUrl,
    database: uniqueName(name).replace(/[^a-z0-9]/gi, ''),
    appName: name,
    logger,
  });
  const configView = await connectConfigStream({ address: cp.controlPlane.address, token: cp.token, logger });
  const eventsTopic = new KafkaNames(namespace).events;
  const translator = await startTranslator({
    accessTokens: (request) => cp.client.oauth.getOAuthAccessToken(request),
    kafka,
    db: mongo.db,
    configView,
    logger,
    meter: metrics.getMeter(name),
    settings: translatorSettings({
      destinationTypes: ['webhook'],
      eventsTopic,
      namespace,
      eventsTopicPartitions: 2,
      topicPartitions: 1,
      reportIntervalMs: 200,
      ...settings,
    }),
  });
  return {
    cp,
    kafka,
    configView,
    translator,
    eventsTopic,
    async close() {
      await translator.stop();
      await configView.close();
      await cp.stop();
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
      await kafka.disconnect();
    },
  };
}
