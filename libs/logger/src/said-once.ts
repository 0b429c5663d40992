/**
 * What was last logged of each problem that persists from one pass of a loop to the next (a
 * model whose schedule does not parse, a document that cannot be read), so that a loop running
 * every few seconds logs each problem once: again only when its reason changes, or when it comes
 * back after it was gone.
 */
export class SaidOnce {
  private said = new Map<string, string>();

  /** True when this problem is new or its reason changed: log it then. */
  first(key: string, reason: string): boolean {
    if (this.said.get(key) === reason) return false;
    this.said.set(key, reason);
    return true;
  }

  /** The problem is gone: said again if it comes back. */
  gone(key: string): void {
    this.said.delete(key);
  }

  /** For a pass that sees every current problem at once: those it did not see are gone. */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.said.keys()) if (!keys.has(key)) this.said.delete(key);
  }
}
