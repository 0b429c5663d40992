import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compressBody, type CompressedBody } from '@manifold/compression';

/** Names Vite gives the files it writes into assets/ (name-hash.ext); nothing with a path in it. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The built web app's files, each read and compressed (brotli and gzip) on first use and then
 * served from memory. Source maps are never served: the console's code is not published with them.
 */
export class WebFiles {
  private readonly kept = new Map<string, Promise<CompressedBody>>();

  constructor(private readonly webRoot: string) {}

  /** A file of assets/ by name; undefined when there is none (or it is a source map). */
  async asset(name: string): Promise<CompressedBody | undefined> {
    if (!ASSET_NAME.test(name) || name.endsWith('.map')) return undefined;
    return this.read(join('assets', name));
  }

  /** A file at the root of the build (index.html, the favicon). */
  async root(name: 'index.html' | 'favicon.svg'): Promise<CompressedBody | undefined> {
    return this.read(name);
  }

  private async read(relative: string): Promise<CompressedBody | undefined> {
    const kept = this.kept.get(relative);
    if (kept) return kept;
    let body: Buffer;
    try {
      body = await readFile(join(this.webRoot, relative));
    } catch {
      // Misses are not kept, so requests for made-up names cannot fill the map.
      return undefined;
    }
    const compressed = compressBody(body);
    this.kept.set(relative, compressed);
    return compressed;
  }
}
