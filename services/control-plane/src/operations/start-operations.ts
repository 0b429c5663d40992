import type { KafkaNames } from '@manifold/events';
import { KafkaClient, type KafkaClientSettings } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { Db } from 'mongodb';
import type { Observability } from '../domain/observability';
import type { ObservedEvents } from '../domain/observed-events';
import { PLAN_REPORT_RETENTION_MS } from '../domain/plan-insights';
import type { PlanViolationCounts } from '../domain/plan-violation-counts';
import type { Store } from '../store/store';
import { DeadLetterStore } from './dead-letters/dead-letter-store';
import { startDeadLetterIndexer } from './dead-letters/dead-letter-indexer';
import { Redrives } from './dead-letters/redrives';
import { QuarantineReplays } from './quarantine/quarantine-replays';
import { Replays } from './replays/replays';
import { RunOutcomes } from './runs/run-outcomes';
import { startRunReportConsumer } from './runs/run-report-consumer';
import { startPlanReportConsumer } from './plan-reports/plan-report-consumer';
import { EventTraces } from './trace/event-traces';
import { TraceIndex } from './trace/trace-index';
import { startTraceIndexConsumer } from './trace/trace-index-consumer';

export interface OperationsSettings {
  /** How long per-event traces are kept (the translators' traces topic keeps them as long). */
  traceRetentionMs: number;
  /** How long dead letters can be browsed and redriven. */
  deadLetterRetentionMs: number;
  /** How long finished redrives and replays are listed. */
  runRetentionMs: number;
  /** How long tracking-plan violation counts, samples and observed event shapes are kept. */
  planReportRetentionMs: number;
  /** How often what is past its retention is deleted. */
  sweepIntervalMs: number;
}

export const DEFAULT_OPERATIONS_SETTINGS: OperationsSettings = {
  traceRetentionMs: 7 * 86_400_000,
  deadLetterRetentionMs: 7 * 86_400_000,
  runRetentionMs: 30 * 86_400_000,
  planReportRetentionMs: PLAN_REPORT_RETENTION_MS,
  sweepIntervalMs: 10 * 60_000,
};

/** Dead letters and redrives, replays (of the events topic and of the quarantine topic), and per-event traces: what the control plane does with the data plane's Kafka. */
export interface Operations {
  redrives: Redrives;
  replays: Replays;
  quarantineReplays: QuarantineReplays;
  traces: EventTraces;
  /** Deletes what is past its retention (also run every sweepIntervalMs). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the control plane's data-plane operations on one replica: the dead-letter index and
 * the redrive worker, the replay worker, the trace index, the tally of each run's outcomes, and
 * the filing of tracking-plan reports.
 * Replicas share the consumer groups; a run is worked on by one replica at a time (its lease).
 */
export async function startOperations(options: {
  kafkaBrokers: readonly string[];
  kafkaSettings?: KafkaClientSettings;
  names: KafkaNames;
  db: Db;
  store: Store;
  observability: Observability;
  /** Where ingestion's tracking-plan reports are filed. */
  planReports: { violations: PlanViolationCounts; observed: ObservedEvents };
  destinationTypes: readonly string[];
  logger: Logger;
  now: () => Date;
  settings?: Partial<OperationsSettings>;
}): Promise<Operations> {
  const settings = { ...DEFAULT_OPERATIONS_SETTINGS, ...options.settings };
  const { names, db, logger, now } = options;
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn({ err: error }, 'stopping an operations component failed');
      }
    }
  };
  try {
    const kafka = new KafkaClient({
      brokers: options.kafkaBrokers,
      clientId: 'manifold-control-plane-operations',
      logger,
      ...options.kafkaSettings,
    });
    stops.push(() => kafka.disconnect());
    const producer = await kafka.producer();
    stops.push(() => producer.disconnect());

    const deadLetters = new DeadLetterStore(db);
    const outcomes = new RunOutcomes(db);
    const index = new TraceIndex(db);
    const redrives = new Redrives(db, { store: options.store, deadLetters, outcomes, producer, names, logger, now });
    const replays = new Replays(db, {
      store: options.store,
      kafka,
      producer,
      outcomes,
      names,
      eventsTopic: names.events,
      logger,
      now,
    });
    const quarantineReplays = new QuarantineReplays(db, {
      store: options.store,
      kafka,
      producer,
      quarantineTopic: names.quarantine,
      eventsTopic: names.events,
      logger,
      now,
    });
    const traces = new EventTraces({
      store: options.store,
      index,
      kafka,
      names,
      observability: options.observability,
      eventsTopic: names.events,
      retentionMs: settings.traceRetentionMs,
    });
    await Promise.all(
      [deadLetters, outcomes, index, redrives, replays, quarantineReplays].map((s) => s.ensureIndexes()),
    );
    await kafka.ensureTopics(
      options.destinationTypes.map((type) => ({
        topic: names.redeliver(type),
        partitions: 3,
        config: { 'max.message.bytes': String(8 << 20) },
      })),
    );
    await kafka.ensureTopics([
      { topic: names.warehouseReplay, partitions: 3, config: { 'max.message.bytes': String(8 << 20) } },
      // Ingestion creates it too; a quarantine replay may be asked for before ingestion ever ran.
      { topic: names.quarantine, partitions: 3, config: { 'max.message.bytes': String(8 << 20) } },
    ]);

    for (const start of [
      () =>
        startDeadLetterIndexer({
          kafka,
          names,
          destinationTypes: options.destinationTypes,
          store: deadLetters,
          logger,
        }),
      () => startTraceIndexConsumer({ kafka, names, index, retentionMs: settings.traceRetentionMs, logger }),
      () => startRunReportConsumer({ kafka, names, outcomes, logger }),
      () => startPlanReportConsumer({ kafka, names, ...options.planReports, logger }),
    ]) {
      const consumer = await start();
      stops.push(() => consumer.stop());
    }
    redrives.worker.start();
    stops.push(() => redrives.worker.stop());
    replays.worker.start();
    stops.push(() => replays.worker.stop());
    quarantineReplays.worker.start();
    stops.push(() => quarantineReplays.worker.stop());

    const sweep = async (): Promise<void> => {
      const at = now().getTime();
      const deleted = {
        deadLetters: await deadLetters.sweep(new Date(at - settings.deadLetterRetentionMs)),
        traceIndex: await index.sweep(new Date(at - settings.traceRetentionMs)),
        redrives: await redrives.sweep(new Date(at - settings.runRetentionMs)),
        replays: await replays.sweep(new Date(at - settings.runRetentionMs)),
        quarantineReplays: await quarantineReplays.sweep(new Date(at - settings.runRetentionMs)),
        planViolations: await options.planReports.violations.sweep(new Date(at - settings.planReportRetentionMs)),
        observedEvents: await options.planReports.observed.sweep(new Date(at - settings.planReportRetentionMs)),
      };
      if (Object.values(deleted).some((n) => n > 0))
        logger.debug(deleted, 'operations data past its retention deleted');
    };
    let sweeping: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      sweeping = sweep().catch((error: unknown) =>
        logger.warn({ err: error }, 'retention sweep failed; trying again later'),
      );
    }, settings.sweepIntervalMs);
    timer.unref();
    stops.push(async () => {
      clearInterval(timer);
      await sweeping;
    });
    return { redrives, replays, quarantineReplays, traces, sweep, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
