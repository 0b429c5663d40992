import { KafkaNames } from '@manifold/events';
import { formatDuration } from './duration';

/** One delay tier of a destination type's retries: a topic whose messages wait `delayMs`. */
export interface RetryTier {
  topic: string;
  delayMs: number;
}

/**
 * Names of the translator's topics and consumer groups, under the namespace (KAFKA_TOPIC_PREFIX).
 * Retry tiers extend the per-type retry name with the delay: `manifold.retry.mixpanel.30s.v1`.
 */
export class TranslatorNames {
  private readonly names: KafkaNames;

  constructor(namespace = '') {
    this.names = new KafkaNames(namespace);
  }

  retryTiers(destinationType: string, delaysMs: readonly number[]): RetryTier[] {
    const base = this.names.retry(destinationType).replace(/\.v1$/, '');
    return delaysMs.map((delayMs) => ({ topic: `${base}.${formatDuration(delayMs)}.v1`, delayMs }));
  }

  deadLetter(destinationType: string): string {
    return this.names.deadLetter(destinationType);
  }

  get deliveryReports(): string {
    return this.names.deliveryReports;
  }

  get deliverySamples(): string {
    return this.names.deliverySamples;
  }

  /** Events addressed to one instance of the type (dead letters redriven, replays). */
  redeliver(destinationType: string): string {
    return this.names.redeliver(destinationType);
  }

  get eventTraces(): string {
    return this.names.eventTraces;
  }

  get eventTraceIndex(): string {
    return this.names.eventTraceIndex;
  }

  /** The group reading the events topic for one destination type. */
  eventsGroup(destinationType: string): string {
    return this.names.translatorGroup(destinationType);
  }

  /** The group reading all retry tiers of one destination type. */
  retryGroup(destinationType: string): string {
    return this.names.translatorRetryGroup(destinationType);
  }

  /** The group reading the redeliveries of one destination type. */
  redeliverGroup(destinationType: string): string {
    return this.names.translatorRedeliverGroup(destinationType);
  }
}
