/**
 * A run's pages between Kafka and their record, in key order. Each page's send starts as soon as
 * the page is built, so the next page is built (and queued in the producer) while the broker
 * acknowledges the one before; a page is recorded once its own send is acknowledged and the page
 * before it is recorded, one MongoDB write at a time, overlapping the sends. A failed send or
 * record stops the recording there: every page recorded had all the pages before it published.
 */
export class PagePipeline {
  private readonly sending: Array<{ sent: Promise<unknown>; record: () => Promise<void> }> = [];
  private recording: Promise<void> = Promise.resolve();

  /** `maxSendsInFlight`: sends awaiting acknowledgement at most; `add` waits beyond them. */
  constructor(private readonly maxSendsInFlight: number) {}

  /** A page whose send is under way, and how to record it once acknowledged. Throws what failed before. */
  async add(sent: Promise<unknown>, record: () => Promise<void>): Promise<void> {
    // Seen when its turn comes: not an unhandled rejection meanwhile.
    sent.catch(() => undefined);
    this.sending.push({ sent, record });
    while (this.sending.length > this.maxSendsInFlight) await this.recordOldest();
  }

  /** Waits until every page added is acknowledged and recorded; throws the first failure. */
  async drain(): Promise<void> {
    while (this.sending.length > 0) await this.recordOldest();
    await this.recording;
  }

  /**
   * After a failure: waits for the sends and the record under way, whatever their outcome, and
   * records nothing more (the pages sent unrecorded are published again when the run resumes).
   */
  async abandon(): Promise<void> {
    const pending = this.sending.splice(0).map((page) => page.sent);
    await Promise.allSettled([...pending, this.recording]);
  }

  private async recordOldest(): Promise<void> {
    const oldest = this.sending[0] as (typeof this.sending)[number];
    await oldest.sent;
    this.sending.shift();
    await this.recording;
    this.recording = oldest.record();
    this.recording.catch(() => undefined);
  }
}
