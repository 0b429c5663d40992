/**
 * Keeps a run's publishing under a rate (row changes per second): each take waits until the rows
 * taken so far fit in the time elapsed since the first. A stop ends the wait at once.
 */
export class Pacer {
  private started: number | undefined;
  private taken = 0;

  constructor(
    private readonly rowsPerSecond: number,
    private readonly signal: AbortSignal,
  ) {}

  async take(rows: number): Promise<void> {
    this.started ??= Date.now();
    const dueAt = this.started + (this.taken / this.rowsPerSecond) * 1000;
    this.taken += rows;
    const wait = dueAt - Date.now();
    if (wait <= 0 || this.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}
