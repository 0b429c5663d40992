import type { DestinationConfig } from '@manifold/config-client';
import type {
  FieldNotice,
  Outcome,
  ParsedSettings,
  PreparedEvent,
  DestinationSettingsSchema,
} from '@manifold/destination-kit';
import type { Exchange } from '@manifold/destination-http';
import type { EventMetadata, SpecEvent } from '@manifold/events';

/** One event on its way to one destination instance. */
export interface DeliveryTask {
  /** The event as routed to this instance (its destination filters applied). */
  event: SpecEvent;
  metadata: EventMetadata;
  instance: DestinationConfig;
  settings: ParsedSettings<DestinationSettingsSchema>;
  prepared: PreparedEvent;
  /**
   * The other actions the event runs at this instance (further mappings it matched): their
   * requests go with `prepared`'s as one event's, and such a task is never batched.
   */
  more?: PreparedEvent[];
  /** The events-topic message it came from, `topic/partition/offset`; retries carry it along. */
  origin: string;
  /** Offset of the message this batch read it from (the events topic's, or a retry tier's). */
  offset: string;
  /** `topic/partition/offset` of that message (the origin, for the events topic). */
  readAt: string;
  /** Retries: the message whose read handed the event over to this retry (PendingRetry.from). */
  from?: string;
  /** Attempts made before this one. */
  attempts: number;
  /** When the first attempt was made (this one, for a first attempt). */
  firstAttemptAt: number;
  /** The redrive or replay that sent it again (its outcomes are counted for that run too). */
  runId?: string;
  /**
   * Retries of an event that matched several mappings: the mappings whose requests an earlier
   * attempt delivered, which this one does not send again.
   */
  deliveredMappings?: readonly string[];
}

/** What the outcomes of an event at an instance are published with, whether or not it got as far as a task. */
export type EventAtInstance = Pick<
  DeliveryTask,
  'instance' | 'event' | 'metadata' | 'origin' | 'readAt' | 'attempts' | 'firstAttemptAt' | 'runId'
>;

/** The last request of a task and what came back: kept for the dead-letter record. */
export type { Exchange };

export interface TaskResult {
  task: DeliveryTask;
  outcome: Outcome;
  exchange?: Exchange;
  /** Fields of the event left out or converted (mapping and requests); counted when it is delivered. */
  notices?: FieldNotice[];
  /** When it is to be retried: the mappings delivered so far (earlier attempts' and this one's). */
  deliveredMappings?: string[];
}

/** Where a batch was read from, and whether its consumer still runs. */
export interface BatchSource {
  /** `<consumer group>|<topic>|<partition>` */
  stream: string;
  /** The consumer's group assignment (changes when it rejoins its group). */
  assignment: number;
  /** False once the consumer is stopping: waits end, and the batch is left uncommitted. */
  keepGoing: () => boolean;
}

/** `topic/partition/offset` of a consumed message. */
export function originOf(message: { topic: string; partition: number; offset: string }): string {
  return `${message.topic}/${message.partition}/${message.offset}`;
}
