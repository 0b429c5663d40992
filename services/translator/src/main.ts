import { connectConfigStream } from '@manifold/config-client';
import { destinationIds } from '@manifold/destinations';
import { KafkaClient, kafkaClientSettings } from '@manifold/kafka';
import { connectMongo, mongoSecurity } from '@manifold/mongo';
import { connectControlPlane, controlPlaneTls } from '@manifold/proto';
import { runService } from '@manifold/service';
import { loadTranslatorConfig, mongoDatabase, settingsFromConfig } from './config';
import { startTranslator } from './start-translator';

const config = loadTranslatorConfig();
const settings = settingsFromConfig(config, destinationIds());

void runService({
  name: 'translator',
  adminPort: config.ADMIN_PORT,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  async start(ctx) {
    const configView = await connectConfigStream({
      address: config.CONTROL_PLANE_ADDRESS,
      token: config.CONTROL_PLANE_TOKEN,
      tls: controlPlaneTls(config),
      logger: ctx.logger,
      client: `translator(${settings.destinationTypes.join(',')})`,
      ...(config.CONFIG_CACHE_FILE ? { cacheFile: config.CONFIG_CACHE_FILE } : {}),
      cacheKey: config.CONFIG_CACHE_KEY,
    });
    ctx.onShutdown('config stream', () => configView.close());
    ctx.readiness.add('config', () => {
      if (configView.version === 0) throw new Error('no configuration yet');
    });

    const mongo = await connectMongo({
      url: config.MONGO_URL,
      database: mongoDatabase(config.MONGO_URL),
      appName: 'translator',
      logger: ctx.logger,
      security: mongoSecurity(config),
    });
    ctx.onShutdown('mongodb', () => mongo.close());
    ctx.readiness.add('mongodb', () => mongo.ping());

    const kafka = new KafkaClient({
      brokers: config.KAFKA_BROKERS,
      clientId: 'translator',
      logger: ctx.logger,
      ...kafkaClientSettings(config),
      // exports the consumer groups' lag
      telemetry: ctx.telemetry,
    });
    ctx.onShutdown('kafka admin', () => kafka.disconnect());
    ctx.readiness.add('kafka', () => kafka.ping().then(() => undefined));

    // OAuth-connected instances' access tokens come from the control plane, asked for when needed.
    const controlPlane = connectControlPlane({
      address: config.CONTROL_PLANE_ADDRESS,
      token: config.CONTROL_PLANE_TOKEN,
      tls: controlPlaneTls(config),
      actor: 'translator',
    });
    ctx.onShutdown('control plane client', () => controlPlane.close());

    const translator = await startTranslator({
      accessTokens: (request) => controlPlane.oauth.getOAuthAccessToken(request),
      kafka,
      db: mongo.db,
      configView,
      logger: ctx.logger,
      meter: ctx.telemetry.meter,
      settings,
    });
    ctx.onShutdown('translator', () => translator.stop());
    ctx.readiness.add('deliveries', () => translator.checkDeliveries());
  },
}).catch(() => process.exit(1));
