/** What one request, and all requests together, may make the service hold (see the README's Memory). */
export interface RequestLimits {
  maxCallBytes: number;
  maxBatchBytes: number;
  maxBatchItems: number;
  /**
   * What the events of one batch may add up to once its shared `context` and `integrations` are
   * merged into every item: without it, a small batch with a large shared context expands into
   * thousands of copies of it.
   */
  maxBatchEventBytes: number;
  /** Request bodies being received at once, all requests together (decoded bytes). */
  maxReceivingBytes: number;
}
