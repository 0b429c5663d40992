import type { ConfigView } from '@manifold/config-client';
import type { DestinationDefinition } from '@manifold/destination-kit';
import { destinationById } from '@manifold/destinations';
import type { EventProducer, KafkaClient, TopicSpec } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { Meter } from '@manifold/telemetry';
import type { Db } from 'mongodb';
import { MessageClaims } from './dedup/claims';
import { ProgressLedger } from './dedup/progress-ledger';
import { StoreWaiter } from './dedup/store-waiter';
import { HttpSender } from '@manifold/destination-http';
import { KeyedLimiter } from './http/keyed-limiter';
import { OutcomeRouter } from './pipeline/batch-outcomes';
import { SlowInstances } from './pipeline/slow-instances';
import { Deliverer } from './pipeline/deliverer';
import { DisabledInstances } from './pipeline/disabled-instances';
import { TypeProcessor } from './pipeline/type-processor';
import { DeliveryReporter } from './reports/delivery-reporter';
import { FailureSampler } from './reports/failure-sampler';
import { createTranslatorMetrics, observeDeliveryPause } from './reports/metrics';
import type { TranslatorSettings } from './settings';
import { TranslatorNames } from './topics';
import { TraceWriter } from './trace/trace-writer';
import { TypeWorker } from './type-worker';
import { AccessTokens, type AccessTokenSource } from './oauth/access-tokens';

export interface StartTranslatorOptions {
  kafka: KafkaClient;
  /** Database of the messageId claims. */
  db: Db;
  configView: ConfigView;
  logger: Logger;
  meter: Meter;
  settings: TranslatorSettings;
  /** Finds a destination's definition by catalog id; @manifold/destinations by default. */
  destinations?: (id: string) => DestinationDefinition | undefined;
  /** The control plane's access tokens for instances connected with OAuth; without it they wait (retry). */
  accessTokens?: AccessTokenSource;
  /** Clock and randomness of retry planning, for tests. */
  now?: () => number;
  random?: () => number;
}

export interface RunningTranslator {
  names: TranslatorNames;
  /** Where this translator publishes its delivery reports. */
  deliveryReportsTopic: string;
  reporter: DeliveryReporter;
  /** Throws while deliveries are paused because messageId claims cannot be made (a readiness check). */
  checkDeliveries(): void;
  /** Finishes the batches in hand (their retries and dead letters published), then disconnects. */
  stop(): Promise<void>;
}

/** Large enough for a full batch of retries or dead letters in one record batch. */
const TOPIC_MAX_MESSAGE_BYTES = String(8 * 1024 * 1024);

/** Starts one TypeWorker per destination type, sharing a producer, HTTP agent and claim store. */
export async function startTranslator(options: StartTranslatorOptions): Promise<RunningTranslator> {
  const { kafka, settings, logger, configView } = options;
  const lookup = options.destinations ?? destinationById;
  const definitions = settings.destinationTypes.map((type) => {
    const destination = lookup(type);
    if (!destination) throw new Error(`unknown destination type "${type}"`);
    return destination;
  });
  if (definitions.length === 0) throw new Error('no destination types to translate for');

  const names = new TranslatorNames(settings.namespace);
  const reportsTopic = names.deliveryReports;
  await kafka.ensureTopics(topicSpecs(settings, names, reportsTopic));

  const cleanup: Array<() => Promise<void> | void> = [];
  const stopAll = async (): Promise<void> => {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error }, 'translator shutdown step failed');
      }
    }
  };

  try {
    const producer: EventProducer = await kafka.producer();
    cleanup.push(() => producer.disconnect());
    const metrics = createTranslatorMetrics(options.meter);
    const reporter = new DeliveryReporter({
      producer,
      topic: reportsTopic,
      intervalMs: settings.reportIntervalMs,
      logger,
    });
    reporter.start();
    cleanup.push(() => reporter.stop());
    const waiter = new StoreWaiter({ logger, onFailure: () => metrics.claimStoreErrors.add(1) });
    observeDeliveryPause(options.meter, () => waiter.pausedSince);
    const claims = new MessageClaims(options.db, {
      windowMs: settings.dedupWindowMs,
      ...(options.now ? { now: options.now } : {}),
      sweepIntervalMs: settings.claimSweepIntervalMs,
      waiter,
      logger,
    });
    await claims.start();
    cleanup.push(() => claims.stop());
    const progress = new ProgressLedger(options.db, {
      windowMs: settings.dedupWindowMs,
      sweepIntervalMs: settings.claimSweepIntervalMs,
      waiter,
      logger,
    });
    await progress.start();
    cleanup.push(() => progress.stop());
    // One per process: its cache and its one-question-at-a-time are per instance, whatever the type.
    const tokens = new AccessTokens(options.accessTokens);
    const sender = new HttpSender({
      timeoutMs: settings.requestTimeoutMs,
      connectionsPerOrigin: settings.connectionsPerOrigin,
      addressPolicy: settings.addressPolicy,
    });
    cleanup.push(() => sender.close());
    const disabled = new DisabledInstances(configView);
    cleanup.push(() => disabled.close());
    let trace: TraceWriter | undefined;
    if (settings.trace) {
      // A producer of its own: one producer sends one request at a time (idempotence), and a trace
      // write queued there would hold back the retries and dead letters a batch's commit waits for.
      const traceProducer = await kafka.producer();
      cleanup.push(() => traceProducer.disconnect());
      trace = new TraceWriter({
        producer: traceProducer,
        topic: names.eventTraces,
        indexTopic: names.eventTraceIndex,
        partitions: settings.tracePartitions,
        flushIntervalMs: settings.traceFlushIntervalMs,
        bodyChars: settings.traceBodyChars,
        requestBodies: settings.traceRequestBodies,
        logger,
        meter: options.meter,
      });
      trace.start();
      // Stopped after the workers (below): the last batches' entries are written too.
      cleanup.push(() => trace?.stop());
    }

    const workers: TypeWorker[] = [];
    // Stopped before everything above: batches in hand still publish their outcomes.
    cleanup.push(() => Promise.all(workers.map((w) => w.stop())).then(() => undefined));
    for (const destination of definitions) {
      const type = destination.id;
      const tiers = names.retryTiers(type, settings.retryDelaysMs);
      const failures = new FailureSampler({
        producer,
        topic: names.deliverySamples,
        logger: logger.child({ destinationType: type }),
        destinationType: type,
      });
      // Stopped after the workers (cleanup runs in reverse), before the producer.
      cleanup.splice(cleanup.length - 1, 0, () => failures.stop());
      const limiter = new KeyedLimiter(settings.instanceConcurrency);
      // A destination that is not an HTTP API sends through its own client (one per type here).
      const transport = destination.transport?.({
        logger: logger.child({ destinationType: type }),
        addressPolicy: settings.addressPolicy,
      });
      if (transport) cleanup.push(() => transport.close());
      const processor = new TypeProcessor({
        destinationType: type,
        destination,
        configView,
        disabled,
        claims,
        progress,
        reclaimRetries: settings.dedupWindowMs <= settings.retryWindowMs + Math.max(0, ...settings.retryDelaysMs),
        deliverer: new Deliverer({
          destination,
          sender: transport ?? sender,
          tokens,
          limiter,
          slow: new SlowInstances({ threshold: settings.slowInstanceTimeouts }),
          onRequest: ({ status, durationMs }) =>
            metrics.requestDuration.record(durationMs / 1000, statusAttributes(type, status)),
        }),
        outcomes: new OutcomeRouter({
          destinationType: type,
          producer,
          reporter,
          failures,
          metrics,
          tiers,
          deadLetterTopic: names.deadLetter(type),
          ...(trace ? { trace } : {}),
          retryWindowMs: settings.retryWindowMs,
          produceTimeoutMs: settings.produceTimeoutMs,
          ...(options.now ? { now: options.now } : {}),
          ...(options.random ? { random: options.random } : {}),
        }),
        tiers,
        logger: logger.child({ destinationType: type }),
        ...(options.now ? { now: options.now } : {}),
      });
      const worker = new TypeWorker({
        destinationType: type,
        kafka,
        processor,
        eventsTopic: settings.eventsTopic,
        eventsGroup: names.eventsGroup(type),
        retryGroup: names.retryGroup(type),
        redeliverTopic: names.redeliver(type),
        redeliverGroup: names.redeliverGroup(type),
        tiers,
        startFrom: settings.startFrom,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        metrics,
        logger,
        ...(options.now ? { now: options.now } : {}),
      });
      workers.push(worker);
      await worker.start();
    }
    logger.info({ destinationTypes: settings.destinationTypes }, 'translator started');

    let stopping: Promise<void> | undefined;
    return {
      names,
      deliveryReportsTopic: reportsTopic,
      reporter,
      checkDeliveries: () => waiter.check(),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const statusAttributeCache = new Map<string, Record<string, string>>();

/** Metric attributes of a request's outcome, built once per type and status class (hot path). */
function statusAttributes(type: string, status: number | undefined): Record<string, string> {
  const statusClass = status === undefined ? 'error' : (STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other');
  const key = `${type}\u0000${statusClass}`;
  let attributes = statusAttributeCache.get(key);
  if (!attributes) {
    attributes = { destination_type: type, status: statusClass };
    statusAttributeCache.set(key, attributes);
  }
  return attributes;
}

function topicSpecs(settings: TranslatorSettings, names: TranslatorNames, reportsTopic: string): TopicSpec[] {
  const own = (topic: string): TopicSpec => ({
    topic,
    partitions: settings.topicPartitions,
    replicationFactor: settings.replicationFactor,
    config: { 'max.message.bytes': TOPIC_MAX_MESSAGE_BYTES },
  });
  return [
    // Normally ingestion creates it; a translator started first must still be able to subscribe.
    {
      topic: settings.eventsTopic,
      partitions: settings.eventsTopicPartitions,
      replicationFactor: settings.replicationFactor,
      config: { 'max.message.bytes': TOPIC_MAX_MESSAGE_BYTES },
    },
    own(reportsTopic),
    own(names.deliverySamples),
    ...settings.destinationTypes.flatMap((type) => [
      own(names.deadLetter(type)),
      own(names.redeliver(type)),
      ...names.retryTiers(type, settings.retryDelaysMs).map((tier) => own(tier.topic)),
    ]),
    ...(settings.trace ? traceTopicSpecs(settings, names) : []),
  ];
}

/** The traces topic and its index, kept as long as traces are. */
export function traceTopicSpecs(
  settings: Pick<TranslatorSettings, 'tracePartitions' | 'traceRetentionMs' | 'replicationFactor'>,
  names: Pick<TranslatorNames, 'eventTraces' | 'eventTraceIndex'>,
): TopicSpec[] {
  const config = { 'max.message.bytes': TOPIC_MAX_MESSAGE_BYTES, 'retention.ms': String(settings.traceRetentionMs) };
  return [
    {
      topic: names.eventTraces,
      partitions: settings.tracePartitions,
      replicationFactor: settings.replicationFactor,
      config,
    },
    { topic: names.eventTraceIndex, partitions: 1, replicationFactor: settings.replicationFactor, config },
  ];
}
