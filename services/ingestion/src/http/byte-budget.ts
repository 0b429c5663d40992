/**
 * Bytes held by the requests in progress, all of them together, under one ceiling: what lets a
 * replica refuse (503, retried by every SDK) instead of growing until it is killed when many
 * large requests arrive at once.
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /** Takes `bytes` unless that would pass the ceiling; then takes nothing and answers false. */
  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}
