import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { Logger } from '@manifold/logger';
import { deriveKey, parseKey, SecretBox } from '@manifold/secrets';
import type { ConfigSnapshot } from './snapshot';

const FORMAT = 'manifold-config-cache';
const VERSION = 1;

/** What the cache file holds: the snapshot sealed, and which key sealed it. */
interface CacheFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  keyId: string;
  sealed: string;
}

/**
 * The key that seals the cache: `cacheKey` (32 bytes, base64) when given, else derived from the
 * control-plane token. The token already gives its holder the whole configuration over the
 * stream, so a key derived from it reveals nothing the token does not, and a cache copied off the
 * disk (a backup of the volume) is unreadable without it. No key (no token either): no cache.
 */
export function configCacheBox(options: { cacheKey?: string | undefined; token: string }): SecretBox | undefined {
  if (options.cacheKey) return new SecretBox(parseKey(options.cacheKey));
  if (options.token) return new SecretBox(deriveKey(options.token, 'manifold config cache v1'));
  return undefined;
}

/**
 * The last configuration snapshot on disk, for a restart while the control plane is down. It
 * holds every workspace's credentials in clear once opened, so it is sealed with AES-256-GCM
 * (authenticated: a planted or altered file is refused, never served), written with mode 0600,
 * atomically (a new file renamed over the old one). A cache that cannot be opened (another key,
 * damage, an unencrypted file from an older version) is ignored, never a reason to stop.
 */
export class ConfigCache {
  private pending: ConfigSnapshot | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly box: SecretBox | undefined,
    private readonly logger: Logger,
  ) {
    if (!box) logger.warn({ file }, 'no key for the config cache (no CONFIG_CACHE_KEY and no token): not kept');
  }

  /** The cached snapshot, or undefined (with the reason logged) when there is none to trust. */
  async read(): Promise<ConfigSnapshot | undefined> {
    if (!this.box) return undefined;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn({ err: error, file: this.file }, 'config cache not readable; ignored');
      }
      return undefined;
    }
    const cached = parseCacheFile(text);
    if (!cached) {
      // Most likely the clear-text cache of an older version: it must not stay on disk.
      this.logger.warn({ file: this.file }, 'config cache is not an encrypted cache; deleted');
      await unlink(this.file).catch(() => undefined);
      return undefined;
    }
    if (cached.keyId !== this.box.keyId) {
      this.logger.warn(
        { file: this.file },
        'config cache was sealed with another key (CONFIG_CACHE_KEY or the token changed); ignored',
      );
      return undefined;
    }
    try {
      const snapshot = JSON.parse(this.box.open(cached.sealed)) as ConfigSnapshot;
      if (typeof snapshot.version !== 'number' || !Array.isArray(snapshot.sources)) throw new Error('not a snapshot');
      return snapshot;
    } catch {
      this.logger.warn({ file: this.file }, 'config cache could not be opened (damaged or altered); ignored');
      return undefined;
    }
  }

  /** Keeps `snapshot` (writes are coalesced: only the latest snapshot waiting is written). */
  save(snapshot: ConfigSnapshot): void {
    if (!this.box) return;
    this.pending = snapshot;
    this.writing = this.writing.then(() => this.drain());
  }

  /** Resolves once every save so far is on disk (or has failed and been logged). */
  flush(): Promise<void> {
    return this.writing;
  }

  private async drain(): Promise<void> {
    const snapshot = this.pending;
    if (!snapshot || !this.box) return;
    this.pending = undefined;
    const content: CacheFile = {
      format: FORMAT,
      version: VERSION,
      keyId: this.box.keyId,
      sealed: this.box.seal(JSON.stringify(snapshot)),
    };
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      // Created 0600 (never wider, whatever the umask), synced, then renamed over the old file:
      // a crash leaves the old cache or the new one, never half of one.
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(content));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      this.logger.warn({ err: error, file: this.file }, 'could not write the config cache');
    }
  }
}

function parseCacheFile(text: string): CacheFile | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<CacheFile>;
    if (parsed.format !== FORMAT || parsed.version !== VERSION) return undefined;
    if (typeof parsed.keyId !== 'string' || typeof parsed.sealed !== 'string') return undefined;
    return parsed as CacheFile;
  } catch {
    return undefined;
  }
}
