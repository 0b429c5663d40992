/**
 * Runs the writes of one run's document one after another, each after the ones queued before it.
 * FerretDB rewrites the whole document on each update, so two updates of one document at once can
 * lose one of them (MongoDB applies each atomically): one partition's progress written while
 * another partition renewed the lease lost its $inc (a replay reported fewer events sent than it
 * sent), and a cancel written next to either could be undone. Every write of a run's document in
 * this process (plan, progress, lease, cancel, end) goes through here, the next after the last.
 */
export class SerialWrites {
  /** Per run, the end of its queue of writes. */
  private readonly writes = new Map<string, Promise<void>>();

  run<T>(runId: string, write: () => Promise<T>): Promise<T> {
    const next = (this.writes.get(runId) ?? Promise.resolve()).then(write);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.writes.set(runId, settled);
    void settled.then(() => {
      if (this.writes.get(runId) === settled) this.writes.delete(runId);
    });
    return next;
  }
}
