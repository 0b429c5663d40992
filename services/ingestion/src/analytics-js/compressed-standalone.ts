import { compressBody, type CompressedBody } from '@manifold/compression';
import type { AnalyticsJsBundle } from './bundle';

/** Write keys whose compressed bundle is kept (about 60 KB each); beyond that the oldest is dropped. */
const MAX_KEPT = 100;

/**
 * The entry script for each write key, compressed once and kept: the key is inside the script, so
 * each source has its own. Brotli at a middling quality keeps the first request for a key quick.
 */
export class CompressedStandalone {
  private readonly kept = new Map<string, Promise<CompressedBody>>();

  constructor(private readonly bundle: AnalyticsJsBundle) {}

  get(writeKey: string): Promise<CompressedBody> {
    let body = this.kept.get(writeKey);
    if (body) {
      // Most recently used last, so eviction drops the least recently used.
      this.kept.delete(writeKey);
    } else {
      body = compressBody(this.bundle.standalone(writeKey), { brotliQuality: 5 });
      // A failed compression is not kept; the next request tries again.
      body.catch(() => this.kept.delete(writeKey));
    }
    this.kept.set(writeKey, body);
    if (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    return body;
  }
}
