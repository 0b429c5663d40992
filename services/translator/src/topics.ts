import { TOPICS } from '@manifold/events';
import { formatDuration } from './duration';

/** One delay tier of a destination type's retries: a topic whose messages wait `delayMs`. */
export interface RetryTier {
  topic: string;
  delayMs: number;
}

/**
 * Names of the translator's topics and consumer groups. Retry tiers extend the events library's
 * per-type retry name with the delay: `manifold.retry.mixpanel.30s.v1`.
 */
export class TranslatorNames {
  constructor(private readonly namespace = '') {}

  retryTiers(destinationType: string, delaysMs: readonly number[]): RetryTier[] {
    const base = TOPICS.retry(destinationType).replace(/\.v1$/, '');
    return delaysMs.map((delayMs) => ({ topic: `${this.namespace}${base}.${formatDuration(delayMs)}.v1`, delayMs }));
  }

  deadLetter(destinationType: string): string {
    return `${this.namespace}${TOPICS.deadLetter(destinationType)}`;
  }

  get deliveryReports(): string {
    return `${this.namespace}${TOPICS.deliveryReports}`;
  }

  /** The group reading the events topic for one destination type. */
  eventsGroup(destinationType: string): string {
    return `${this.namespace}manifold-translator-${destinationType}`;
  }

  /** The group reading all retry tiers of one destination type. */
  retryGroup(destinationType: string): string {
    return `${this.namespace}manifold-translator-${destinationType}-retry`;
  }
}
