// Rate limits as APIs count them: fixed windows (per second, per minute) per key, on the wall
// clock (not the emulator's pinned API clock, which tests freeze).

export interface WindowLimit {
  windowMs: number;
  limit: number;
}

export class FixedWindows {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /**
   * Counts one request against every limit of `key`; the seconds until the first exceeded
   * window ends, or undefined when none is.
   */
  hit(key: string, limits: readonly WindowLimit[], now = Date.now()): number | undefined {
    let waitMs: number | undefined;
    for (const { windowMs, limit } of limits) {
      const start = Math.floor(now / windowMs) * windowMs;
      const id = `${key}|${windowMs}`;
      const window = this.windows.get(id);
      const current = window && window.start === start ? window : { start, count: 0 };
      current.count++;
      this.windows.set(id, current);
      if (current.count > limit) waitMs = Math.max(waitMs ?? 0, start + windowMs - now);
    }
    return waitMs === undefined ? undefined : Math.max(1, Math.ceil(waitMs / 1000));
  }

  clear(): void {
    this.windows.clear();
  }
}
