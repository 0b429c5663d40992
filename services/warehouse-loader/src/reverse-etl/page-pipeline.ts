/**
 * A run's pages between Kafka and their record, in key order. Each page's send starts as soon as
 * the page is built, so later pages are built (and queued in the producer) while the broker
 * acknowledges earlier ones. Pages are recorded in order, one MongoDB write at a time, and each
 * write records every page acknowledged since the last one (a page only once every page before it
 * is): sends are never held up by a write in progress, and a slow store costs fewer writes rather
 * than a slower run. A failed send or write stops the recording there: every page recorded had
 * all the pages before it published.
 */
export class PagePipeline<Page> {
  /** Pages added and not yet recorded, in order; `acked` once Kafka holds the page. */
  private readonly unrecorded: Array<{ page: Page; acked: boolean }> = [];
  private readonly pending = new Set<Promise<unknown>>();
  private recording: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private waiters: Array<() => void> = [];

  /**
   * `maxUnrecorded`: pages sent and not yet recorded at most (what a resumed run may publish
   * again); `add` waits beyond them. `record`: writes that these pages, in order, are published.
   */
  constructor(
    private readonly maxUnrecorded: number,
    private readonly record: (pages: Page[]) => Promise<void>,
  ) {}

  /** A page whose send is under way. Throws what failed before; waits while too many pages are unrecorded. */
  async add(sent: Promise<unknown>, page: Page): Promise<void> {
    this.throwIfFailed();
    const entry = { page, acked: false };
    this.unrecorded.push(entry);
    this.track(
      sent.then(
        () => {
          entry.acked = true;
          this.recordAcknowledged();
        },
        (error: unknown) => this.fail(error),
      ),
    );
    while (this.unrecorded.length > this.maxUnrecorded && !this.failure) await this.changed();
    this.throwIfFailed();
  }

  /** Waits until every page added is acknowledged and recorded; throws the first failure. */
  async drain(): Promise<void> {
    while (this.unrecorded.length > 0 && !this.failure) await this.changed();
    this.throwIfFailed();
  }

  /**
   * After a failure: waits for the sends and the write under way, whatever their outcome, and
   * records nothing more (the pages sent unrecorded are published again when the run resumes).
   */
  async abandon(): Promise<void> {
    this.failure ??= { error: new Error('publishing was abandoned') };
    await Promise.allSettled([...this.pending]);
  }

  /** Starts a write of the acknowledged pages at the head, unless one is under way (it starts the next). */
  private recordAcknowledged(): void {
    if (this.recording || this.failure) return;
    let count = 0;
    while (count < this.unrecorded.length && this.unrecorded[count]?.acked) count++;
    if (count === 0) return;
    const pages = this.unrecorded.slice(0, count).map((entry) => entry.page);
    this.recording = this.record(pages).then(
      () => {
        this.unrecorded.splice(0, count);
        this.recording = undefined;
        this.wake();
        this.recordAcknowledged();
      },
      (error: unknown) => {
        this.recording = undefined;
        this.fail(error);
      },
    );
    this.track(this.recording);
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.wake();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Resolves at the next write done or failure. */
  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
