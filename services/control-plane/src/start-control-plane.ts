import { KafkaNames } from '@manifold/events';
import type { KafkaClientSettings } from '@manifold/kafka';
import type { GrpcServerTls } from '@manifold/proto';
import type { Logger } from '@manifold/logger';
import { connectMongo, type MongoSecurity } from '@manifold/mongo';
import { SecretBox } from '@manifold/secrets';
import { metricPrefix, type Meter } from '@manifold/telemetry';
import { buildSnapshot } from './config-stream/build-snapshot';
import { ConfigBroadcaster } from './config-stream/broadcaster';
import { Catalog, type CatalogEntryDefinition } from './domain/catalog';
import { CatalogQueries } from './domain/catalog-service';
import { Destinations } from './domain/destinations';
import { DestinationMappings } from './domain/mappings';
import { ReverseEtlModels } from './domain/reverse-etl';
import { ModelWarehouse } from './domain/model-warehouse';
import { Observability } from './domain/observability';
import { startRetentionSweep } from './domain/retention-sweep';
import { startReportConsumer } from './domain/report-consumer';
import { startOperations, type OperationsSettings } from './operations/start-operations';
import { Sources } from './domain/sources';
import { Workspaces } from './domain/workspaces';
import { startGrpcServer } from './grpc/server';
import { startHealthWatch } from './grpc/health-watch';
import { grpcServerMetrics } from './grpc/server-metrics';
import { registerControlPlaneMetrics } from './metrics';
import type { Domain } from './grpc/services';
import { DestinationTester } from './domain/destination-test';
import { AddressPolicy, DEFAULT_BLOCKED_NETWORKS, HttpSender } from '@manifold/destination-http';
import { Store } from './store/store';
import { defaultCatalog } from './default-catalog';
import { AutoDisableJob, type AutoDisableOptions } from './auto-disable/auto-disable-job';
import { DEFAULT_AUTO_DISABLE_POLICY } from './auto-disable/policy';
import { createMailer, type SmtpSettings } from '@manifold/mail';
import { OAuthApps, type OAuthClientConfig } from './oauth/oauth-clients';
import { TrackingPlans } from './domain/tracking-plans';
import { PlanInsights } from './domain/plan-insights';
import { PlanViolationCounts } from './domain/plan-violation-counts';
import { ObservedEvents } from './domain/observed-events';
import { OAuthConnections } from './oauth/oauth-connections';

export interface StartControlPlaneOptions {
  mongoUrl: string;
  /** MONGO_USERNAME, MONGO_TLS, ... (see @manifold/mongo's mongoSecurity). */
  mongoSecurity?: MongoSecurity | undefined;
  database: string;
  grpcHost?: string;
  /** 0 picks a free port. */
  grpcPort: number;
  /** TLS for the gRPC server (mutual when it names a client CA); plaintext without. */
  grpcTls?: GrpcServerTls | undefined;
  /** How often MongoDB is pinged for grpc.health.v1 (ms). Default 2000. */
  healthCheckIntervalMs?: number;
  /** The service token every caller must present. */
  token: string;
  /** 32 bytes, base64: encrypts secret settings at rest. */
  secretKey: string;
  logger: Logger;
  catalog?: readonly CatalogEntryDefinition[];
  /** How often to notice writes made through other replicas (ms). */
  configPollIntervalMs?: number;
  /**
   * Addresses the mapping tester's sends may not reach, as the translators' (DESTINATION_BLOCKED_NETWORKS;
   * default DEFAULT_BLOCKED_NETWORKS): a tester send is a destination request made from here.
   */
  destinationAddressPolicy?: AddressPolicy;
  /** How long a Reverse ETL preview may run in the warehouse (ms; default 30 s). */
  previewTimeoutMs?: number;
  /** Mail for auto-disable warnings; without it, auto-disable is off (no owner could be warned first). */
  smtp?: SmtpSettings;
  autoDisable?: Partial<AutoDisableOptions> & { enabled?: boolean };
  /** When set, delivery reports and warehouse load records are read from these brokers. */
  kafkaBrokers?: readonly string[];
  /** Security and the replication factor of the topics it creates (KAFKA_* variables). */
  kafkaSettings?: KafkaClientSettings;
  /** KAFKA_TOPIC_PREFIX: the prefix of those topics and of the consumer group. Default: none. */
  kafkaTopicPrefix?: string;
  /** Consumer group for those reports, when not the prefix's. */
  reportsGroupId?: string;
  /** Retention of traces, dead letters and finished runs (with Kafka only). */
  operations?: Partial<OperationsSettings>;
  /** The operator's OAuth apps by destination type (`oauthClientsConfig`); types without one cannot connect. */
  oauthClients?: ReadonlyMap<string, OAuthClientConfig>;
  /** The clock; tests move it. */
  now?: () => Date;
  /** The service's meter: gRPC server metrics, consumer lag, sources pending auto-disable. */
  meter?: Meter;
}

export interface ControlPlane {
  /** host:port of the gRPC server. */
  address: string;
  domain: Domain;
  autoDisable: AutoDisableJob;
  stop(): Promise<void>;
}

/** Starts one control-plane replica: MongoDB store, gRPC API, config stream, auto-disable job. */
export async function startControlPlane(options: StartControlPlaneOptions): Promise<ControlPlane> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger;
  const mongo = await connectMongo({
    url: options.mongoUrl,
    database: options.database,
    appName: 'manifold-control-plane',
    logger,
    ...(options.mongoSecurity && { security: options.mongoSecurity }),
  });
  const stops: Array<() => Promise<void> | void> = [() => mongo.close()];
  try {
    const store = new Store(mongo.db);
    await store.ensureIndexes();
    const catalog = new Catalog(options.catalog ?? defaultCatalog());
    const box = new SecretBox(options.secretKey);
    const broadcaster = new ConfigBroadcaster({
      readVersion: () => store.configVersionNow(),
      build: (version, at) => buildSnapshot(store, catalog, box, version, at),
      logger,
      now,
      pollIntervalMs: options.configPollIntervalMs ?? 1000,
    });
    const onChange = async (): Promise<void> => {
      await store.bumpConfigVersion();
      await broadcaster.refresh();
    };
    const observability = new Observability(store, mongo.db, onChange);
    await observability.ensureIndexes();
    const retention = startRetentionSweep(observability, logger, now);
    stops.push(() => retention.stop());
    const destinations = new Destinations(store, catalog, box, onChange);
    const sealed = await destinations.sealStoredSecrets();
    if (sealed > 0) logger.info({ destinations: sealed }, 'credentials stored in clear are now encrypted');
    const mappings = new DestinationMappings(store, catalog, (doc) => destinations.toDestination(doc), onChange);
    const modelWarehouse = new ModelWarehouse(
      (doc) => destinations.openSettings(doc),
      logger,
      options.previewTimeoutMs,
    );
    const reverseEtl = new ReverseEtlModels(store, mappings, onChange, modelWarehouse);
    await reverseEtl.ensureIndexes();
    const trackingPlans = new TrackingPlans(store, onChange);
    await trackingPlans.ensureIndexes();
    const planReports = { violations: new PlanViolationCounts(mongo.db), observed: new ObservedEvents(mongo.db) };
    await planReports.violations.ensureIndexes();
    await planReports.observed.ensureIndexes();
    // The mapping tester's test sends: a few connections per destination host, the translator's timeout.
    const testSender = new HttpSender({
      timeoutMs: 10_000,
      connectionsPerOrigin: 4,
      addressPolicy: options.destinationAddressPolicy ?? AddressPolicy.blocking(DEFAULT_BLOCKED_NETWORKS),
    });
    stops.push(() => testSender.close());
    // Before the domain: without mail to warn owners with, auto-disable is off and reads give no date.
    const mailer = createMailer(options.smtp, logger);
    stops.push(() => mailer.close());
    const domain: Domain = {
      store,
      workspaces: new Workspaces(store),
      sources: new Sources(
        store,
        box,
        onChange,
        mailer.delivers ? { ...DEFAULT_AUTO_DISABLE_POLICY, ...options.autoDisable } : null,
      ),
      destinations,
      mappings,
      tester: new DestinationTester(catalog, box, mappings, observability.counters, testSender, logger),
      catalog: new CatalogQueries(store, catalog),
      observability,
      broadcaster,
      oauth: new OAuthConnections(store, new OAuthApps(options.oauthClients), box, logger, onChange, now),
      reverseEtl,
      trackingPlans,
      planInsights: new PlanInsights(store, planReports.violations, planReports.observed),
    };
    await broadcaster.start();
    stops.push(() => broadcaster.stop());
    const telemetry = options.meter ? { meter: options.meter, metricPrefix: metricPrefix('control-plane') } : undefined;
    if (telemetry) registerControlPlaneMetrics(telemetry.meter, store);
    if (options.kafkaBrokers?.length) {
      const reports = await startReportConsumer(
        options.kafkaBrokers,
        observability,
        logger,
        new KafkaNames(options.kafkaTopicPrefix),
        options.reportsGroupId,
        telemetry,
        options.kafkaSettings,
      );
      stops.push(() => reports.stop());
      const operations = await startOperations({
        kafkaBrokers: options.kafkaBrokers,
        kafkaSettings: options.kafkaSettings,
        names: new KafkaNames(options.kafkaTopicPrefix),
        db: mongo.db,
        store,
        observability,
        planReports,
        destinationTypes: catalog
          .list()
          .filter((entry) => !entry.warehouse)
          .map((entry) => entry.id),
        logger,
        now,
        ...(options.operations ? { settings: options.operations } : {}),
      });
      domain.operations = operations;
      stops.push(() => operations.stop());
    }

    const autoDisable = new AutoDisableJob(store, mailer, logger, now, onChange, options.autoDisable);
    if (options.autoDisable?.enabled ?? true) {
      autoDisable.start();
      stops.push(() => autoDisable.stop());
    }

    const grpc = await startGrpcServer(
      domain,
      { token: options.token, logger, now },
      options.grpcHost ?? '127.0.0.1',
      options.grpcPort,
      telemetry ? [grpcServerMetrics(telemetry.meter, telemetry.metricPrefix)] : [],
      options.grpcTls,
    );
    stops.push(() => grpc.stop());
    const healthWatch = startHealthWatch({
      check: () => mongo.ping(),
      setServing: grpc.setServing,
      logger,
      ...(options.healthCheckIntervalMs !== undefined && { intervalMs: options.healthCheckIntervalMs }),
    });
    stops.push(() => healthWatch.stop());
    const host = options.grpcHost && options.grpcHost !== '0.0.0.0' ? options.grpcHost : '127.0.0.1';
    logger.info({ port: grpc.port }, 'control plane listening');
    return {
      address: `${host}:${grpc.port}`,
      domain,
      autoDisable,
      stop: async () => {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}
