import type { ConfigView, DestinationConfig } from '@manifold/config-client';
import {
  parseSettings,
  routeEvent,
  type DestinationDefinition,
  type SettingsResult,
  type DestinationSettingsSchema,
} from '@manifold/destination-kit';
import {
  decodeEventMessage,
  decodeRedelivery,
  reverseEtlContextOf,
  type EventMetadata,
  type Redelivery,
  type SpecEvent,
} from '@manifold/events';
import type { ConsumedMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { MessageClaims } from '../dedup/claims';
import type { ProgressLedger } from '../dedup/progress-ledger';
import { decodeRetryMessage, type PendingRetry } from '../retry/retry-message';
import type { RetryTier } from '../topics';
import type { BatchOutcomes, OutcomeRouter } from './batch-outcomes';
import { BatchGuard, READ_AGAIN, type AdmittedChunk, type BatchGuardOptions } from './batch-guard';
import type { Deliverer } from './deliverer';
import { decideRelease } from './delivery-decision';
import { chooseInstanceActions } from './instance-actions';
import type { DisabledInstances } from './disabled-instances';
import { originOf, type BatchSource, type DeliveryTask, type TaskResult } from './task';

/** Filter reasons the translator adds to the kit's drop reasons. */
export const TRANSLATOR_FILTER_REASONS = {
  /** The instance is disabled (or was disabled or disconnected while the event waited for a retry). */
  disabled: 'DESTINATION_DISABLED',
  /** The messageId already went to this instance within the dedup window. */
  duplicate: 'DUPLICATE_MESSAGE_ID',
} as const;

export interface TypeProcessorOptions {
  destinationType: string;
  destination: DestinationDefinition;
  configView: ConfigView;
  disabled: DisabledInstances;
  claims: MessageClaims;
  /** What earlier reads of a partition did: tells a re-read event from a never-seen one. */
  progress: ProgressLedger;
  deliverer: Deliverer;
  outcomes: OutcomeRouter;
  tiers: readonly RetryTier[];
  /**
   * Whether a retry claims its messageId again. A retry exists only because its first attempt
   * claimed it; while that claim certainly outlives the retries (the dedup window is longer than
   * the retry window plus the longest delay) claiming again is a database round trip that can
   * only answer yes, paid by every instance of the type while one of them is failing.
   */
  reclaimRetries: boolean;
  logger: Logger;
  now?: () => number;
}

/**
 * Events (or retries) per chunk, prepared and claimed together: small enough that delivery starts
 * soon after a batch arrives, large enough that a big batch is a few claim round trips.
 */
const CLAIM_CHUNK = 250;

/**
 * Events prepared between two turns of the event loop: answers to the requests in flight are
 * taken in between, so the destination is not left waiting while a chunk is mapped.
 */
const PREPARE_SLICE = 50;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Attempt {
  origin: string;
  offset: string;
  readAt: string;
  from?: string;
  attempts: number;
  firstAttemptAt: number;
  runId?: string;
  deliveredMappings?: readonly string[];
}

/**
 * Everything one destination type does with a batch of Kafka messages, from the events topic or
 * from its retry tiers: find the instances, route (integrations object, destination filters),
 * validate settings, map, claim the messageId, deliver, and hand every outcome on.
 */
export class TypeProcessor {
  private readonly settingsCache = new WeakMap<DestinationConfig, SettingsResult<DestinationSettingsSchema>>();
  private readonly now: () => number;

  constructor(private readonly options: TypeProcessorOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * A batch of the events topic: each event to every instance of this type on its source. Events
   * are decoded and mapped one claim chunk at a time, just before their claim: deliveries start
   * as soon as the first chunk is ready, the next chunk is prepared while the one before is
   * delivered, and only a few chunks of mapped events are alive at once (a fetch brings thousands
   * of events per partition; mapped all at once they outlive the young generation).
   */
  async processEvents(messages: readonly ConsumedMessage[], source: BatchSource): Promise<void> {
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (!first || !last) return;
    const outcomes = this.options.outcomes.begin();
    // Used from the first chunk with something to claim on (a batch of events no instance takes
    // needs no database at all).
    const guard = this.guard(source, 'events', first.offset, last.offset);
    let next = 0;
    const nextChunk = async (): Promise<DeliveryTask[] | undefined> => {
      if (next >= messages.length) return undefined;
      const chunk = messages.slice(next, next + CLAIM_CHUNK);
      next += CLAIM_CHUNK;
      return this.prepareEvents(outcomes, chunk);
    };
    try {
      await this.claimAndDeliver(outcomes, nextChunk, 'events', guard);
      await outcomes.commit();
      await guard.handedOver();
    } finally {
      guard.end();
    }
  }

  private guard(source: BatchSource, read: BatchGuardOptions['source'], from: string, to: string): BatchGuard {
    const ledger = this.options.progress.batch(source.stream, source.assignment, from, source.keepGoing);
    return new BatchGuard(ledger, this.options.claims, {
      source: read,
      reclaim: this.options.reclaimRetries,
      from,
      to,
      keepGoing: source.keepGoing,
      claimWindowMs: this.claimWindowMs,
    });
  }

  /** A webhook source's duplicate window (its app retries for days); other sources take the store's. */
  private readonly claimWindowMs = (sourceId: string): number | undefined => {
    const seconds = this.options.configView.source(sourceId)?.webhook?.duplicateWindowSeconds;
    return seconds ? seconds * 1000 : undefined;
  };

  private async prepareEvents(outcomes: BatchOutcomes, messages: readonly ConsumedMessage[]): Promise<DeliveryTask[]> {
    const { configView, destinationType } = this.options;
    const tasks: DeliveryTask[] = [];
    const now = this.now();
    for (const [index, message] of messages.entries()) {
      if (index > 0 && index % PREPARE_SLICE === 0) await yieldToEventLoop();
      let event: SpecEvent;
      let metadata: EventMetadata;
      try {
        ({ event, metadata } = decodeEventMessage(message));
      } catch (error) {
        this.undecodable(outcomes, message, error);
        continue;
      }
      const origin = originOf(message);
      for (const instance of this.options.disabled.of(metadata.sourceId, destinationType)) {
        outcomes.filtered(instance, TRANSLATOR_FILTER_REASONS.disabled, { event, metadata, origin });
      }
      const instances = configView.destinationsForSource(metadata.sourceId, destinationType);
      if (instances.length === 0) continue;
      const attempt: Attempt = { origin, offset: message.offset, readAt: origin, attempts: 0, firstAttemptAt: now };
      for (const instance of instances) {
        const routed = routeEvent(event, instance);
        if (routed.kind === 'drop') {
          outcomes.filtered(instance, routed.reason, { event, metadata, origin, message: routed.message });
          continue;
        }
        const task = this.prepare(outcomes, instance, routed.event, metadata, attempt);
        if (task) tasks.push(task);
      }
    }
    return tasks;
  }

  /** Due messages of the retry tiers: the next attempt for each. */
  async processRetries(messages: readonly ConsumedMessage[], source: BatchSource): Promise<void> {
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (!first || !last) return;
    const outcomes = this.options.outcomes.begin();
    const guard = this.guard(source, 'retries', first.offset, last.offset);
    try {
      await this.retryBatch(messages, guard, outcomes);
    } finally {
      guard.end();
    }
  }

  private async retryBatch(
    messages: readonly ConsumedMessage[],
    guard: BatchGuard,
    outcomes: BatchOutcomes,
  ): Promise<void> {
    await guard.load();
    const tasks: DeliveryTask[] = [];
    const now = this.now();
    let repeated = 0;
    for (const message of messages) {
      let retry: PendingRetry;
      try {
        retry = decodeRetryMessage(message);
      } catch (error) {
        this.undecodable(outcomes, message, error);
        continue;
      }
      if (guard.finishedBefore(message.offset, retry.destinationId)) {
        repeated++;
        continue;
      }
      const release = decideRelease(retry.notBefore, this.options.tiers, now);
      if (release.kind === 'wait') {
        outcomes.requeue(retry, release.tier);
        guard.requeued(message.offset, retry.destinationId);
        continue;
      }
      const instance = this.options.configView.destination(retry.destinationId);
      if (!instance || !instance.enabled || !instance.sourceIds.includes(retry.metadata.sourceId)) {
        // Disabled or deleted while the event waited: Segment does not queue for disabled destinations.
        if (instance) outcomes.filtered(instance, TRANSLATOR_FILTER_REASONS.disabled, retry);
        continue;
      }
      const attempt = {
        origin: retry.origin,
        offset: message.offset,
        readAt: originOf(message),
        from: retry.from,
        attempts: retry.attempts,
        firstAttemptAt: retry.firstAttemptAt,
        ...(retry.deliveredMappings ? { deliveredMappings: retry.deliveredMappings } : {}),
      };
      const task = this.prepare(outcomes, instance, retry.event, retry.metadata, attempt);
      if (task) tasks.push(task);
    }
    this.repeated(outcomes, repeated);
    await this.claimAndDeliver(outcomes, chunksOf(tasks), 'retries', guard);
    await outcomes.commit();
    await guard.handedOver();
  }

  /**
   * Redeliveries (dead letters redriven, replays): each event to the one instance it names, if
   * that instance is still enabled and connected to the event's source. A replayed event is routed
   * like any other (integrations object, filters); a redriven one was routed before it failed.
   * Every one is claimed with its own origin (see Redelivery), so the messageId's dedup holds.
   */
  async processRedeliveries(messages: readonly ConsumedMessage[], source: BatchSource): Promise<void> {
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (!first || !last) return;
    const outcomes = this.options.outcomes.begin();
    const guard = this.guard(source, 'redeliveries', first.offset, last.offset);
    try {
      await this.redeliveryBatch(messages, guard, outcomes);
    } finally {
      guard.end();
    }
  }

  private async redeliveryBatch(
    messages: readonly ConsumedMessage[],
    guard: BatchGuard,
    outcomes: BatchOutcomes,
  ): Promise<void> {
    const tasks: DeliveryTask[] = [];
    const now = this.now();
    for (const message of messages) {
      let redelivery: Redelivery;
      try {
        redelivery = decodeRedelivery(message);
      } catch (error) {
        this.undecodable(outcomes, message, error);
        continue;
      }
      const { metadata, runId, origin } = redelivery;
      const instance = this.options.configView.destination(redelivery.destinationId);
      if (!instance || !instance.enabled || !instance.sourceIds.includes(metadata.sourceId)) {
        if (instance) outcomes.filtered(instance, TRANSLATOR_FILTER_REASONS.disabled, redelivery);
        continue;
      }
      let event = redelivery.event;
      if (redelivery.kind === 'replay') {
        const routed = routeEvent(event, instance);
        if (routed.kind === 'drop') {
          outcomes.filtered(instance, routed.reason, { ...redelivery, message: routed.message });
          continue;
        }
        event = routed.event;
      }
      const task = this.prepare(outcomes, instance, event, metadata, {
        origin,
        offset: message.offset,
        readAt: originOf(message),
        attempts: 0,
        firstAttemptAt: now,
        runId,
        // A redrive: what the dead-lettered attempt delivered already is not sent again.
        ...(redelivery.deliveredMappings ? { deliveredMappings: redelivery.deliveredMappings } : {}),
      });
      if (task) tasks.push(task);
    }
    await this.claimAndDeliver(outcomes, chunksOf(tasks), 'redeliveries', guard);
    await outcomes.commit();
    await guard.handedOver();
  }

  /** Settings and mapping for one instance; undefined (and the outcome recorded) when it stops here. */
  private prepare(
    outcomes: BatchOutcomes,
    instance: DestinationConfig,
    event: SpecEvent,
    metadata: EventMetadata,
    attempt: Attempt,
  ): DeliveryTask | undefined {
    const settings = this.settingsOf(instance);
    if (!settings.ok) {
      outcomes.stopped({ instance, event, metadata, ...attempt }, settings.outcome);
      return undefined;
    }
    const chosen = chooseInstanceActions(
      this.options.destination,
      instance,
      event,
      settings.settings,
      attempt.deliveredMappings,
      reverseEtlContextOf(event, metadata.sourceId) !== undefined,
    );
    if (chosen.kind !== 'prepared') {
      outcomes.stopped({ instance, event, metadata, ...attempt }, chosen);
      return undefined;
    }
    const { prepared, more } = chosen;
    return {
      event,
      metadata,
      instance,
      settings: settings.settings,
      prepared,
      ...(more.length > 0 ? { more } : {}),
      ...attempt,
    };
  }

  /**
   * Claims (through `guard`) and delivers chunk after chunk (`nextChunk` gives undefined after
   * the last), recording each chunk's finished deliveries as soon as they are done; the next
   * chunk's preparation and claim overlapping the delivery of the ones before: a claim is a
   * database round trip that grows with its size, and a whole batch claimed at once would leave
   * the destination idle for as long. Resolves once every chunk is delivered. A claim that cannot
   * be made is waited for (the chunks after it wait too); a stop while waiting, or a preparation
   * that fails, fails the batch (nothing is committed; it is read again), after the deliveries
   * already started have finished.
   */
  private async claimAndDeliver(
    outcomes: BatchOutcomes,
    nextChunk: () => Promise<DeliveryTask[] | undefined>,
    source: 'events' | 'retries' | 'redeliveries',
    guard: BatchGuard,
  ): Promise<void> {
    const hooks = {
      // On the events topic an instance that stopped answering is not attempted: its timeouts would
      // hold the batch, and with it every other instance of the type. Retries are attempted: they
      // find out when it answers again.
      skipSilent: source === 'events',
      // Each instance's retries and dead letters are published as soon as it is done, while the
      // other instances of the batch are still being delivered.
      onInstanceDone: (results: TaskResult[]) => {
        outcomes.results(results);
        outcomes.publishPending();
      },
    };
    const claimNext = async (): Promise<AdmittedChunk | undefined> => {
      for (let chunk = await nextChunk(); chunk; chunk = await nextChunk()) {
        // A chunk whose events all stopped before the claim (filtered, dead-lettered) needs none.
        if (chunk.length === 0) continue;
        const admitted = await guard.admit(chunk);
        // The task goes with it: a replay counts its run's duplicates, and the trace records them.
        for (const task of admitted.duplicates)
          outcomes.filtered(task.instance, TRANSLATOR_FILTER_REASONS.duplicate, task);
        this.repeated(outcomes, admitted.repeated.length + admitted.superseded.length);
        return admitted;
      }
      return undefined;
    };
    const deliveries: Array<Promise<unknown>> = [];
    let failure: { error: unknown } | undefined;
    try {
      let claiming = claimNext();
      for (let admitted = await claiming; admitted; admitted = await claiming) {
        // Delivery first: it sends its first requests before the next chunk is prepared.
        const { deliver, duplicates, superseded } = admitted;
        const delivering = deliver.length > 0 ? this.options.deliverer.deliver(deliver, hooks) : Promise.resolve([]);
        const handedOver: TaskResult[] = admitted.handOver.map((task) => ({
          task,
          outcome: { kind: 'retry', reason: READ_AGAIN },
        }));
        if (handedOver.length > 0) hooks.onInstanceDone(handedOver);
        deliveries.push(
          delivering.then((results) => guard.chunkDone([...results, ...handedOver], [...duplicates, ...superseded])),
        );
        claiming = claimNext();
      }
    } catch (error) {
      failure = { error };
    }
    const settled = await Promise.allSettled(deliveries);
    if (failure) throw failure.error;
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Tasks an earlier read of the batch finished: counted apart, not as outcomes again. */
  private repeated(outcomes: BatchOutcomes, count: number): void {
    if (count === 0) return;
    outcomes.alreadyHandled(count);
    this.options.logger.info({ count }, 'read again: deliveries an earlier read finished are not repeated');
  }

  /** Parsed once per instance version: the config view replaces an instance's object when it changes. */
  private settingsOf(instance: DestinationConfig): SettingsResult<DestinationSettingsSchema> {
    let settings = this.settingsCache.get(instance);
    if (!settings) {
      settings = parseSettings(this.options.destination, instance.settings);
      this.settingsCache.set(instance, settings);
    }
    return settings;
  }

  private undecodable(outcomes: BatchOutcomes, message: ConsumedMessage, error: unknown): void {
    const why = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ origin: originOf(message), err: why }, 'message is not an event; dead-lettered');
    outcomes.deadLetter({
      reason: 'UNDECODABLE',
      message: why,
      destinationType: this.options.destinationType,
      origin: originOf(message),
      raw: (message.value ?? Buffer.alloc(0)).toString('utf8').slice(0, 32 * 1024),
      attempts: 0,
      failedAt: new Date(this.now()).toISOString(),
    });
  }
}

/** Hands out tasks a claim chunk at a time. */
function chunksOf(tasks: readonly DeliveryTask[]): () => Promise<DeliveryTask[] | undefined> {
  let next = 0;
  return async () => {
    if (next >= tasks.length) return undefined;
    next += CLAIM_CHUNK;
    return tasks.slice(next - CLAIM_CHUNK, next);
  };
}
