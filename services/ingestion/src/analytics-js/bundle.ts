import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BundleFile {
  body: Buffer;
  /** The prebuilt gzip variant shipped beside the file, when there is one. */
  gzipped: Buffer | undefined;
}

/**
 * analytics.js as the `@segment/analytics-next` package builds it for its CDN (dist/umd): the
 * standalone entry that the snippet loads, and the chunks it loads lazily from
 * `<cdn>/analytics-next/bundles/`. Read once at start; everything is served from memory.
 */
export class AnalyticsJsBundle {
  readonly version: string;
  private readonly standaloneHead: Buffer;
  private readonly standaloneTail: Buffer;
  private readonly files = new Map<string, BundleFile>();

  constructor(umdDirectory: string = AnalyticsJsBundle.locate().umdDirectory) {
    const packageJson = JSON.parse(readFileSync(join(umdDirectory, '../../package.json'), 'utf8')) as {
      version: string;
    };
    this.version = packageJson.version;
    for (const name of readdirSync(umdDirectory)) {
      if (name.endsWith('.gz')) continue;
      const gzName = `${name}.gz`;
      let gzipped: Buffer | undefined;
      try {
        gzipped = readFileSync(join(umdDirectory, gzName));
      } catch {
        gzipped = undefined;
      }
      this.files.set(name, { body: readFileSync(join(umdDirectory, name)), gzipped });
    }
    const original = this.files.get('standalone.js')?.body.toString('utf8');
    if (!original) throw new Error(`no standalone.js in ${umdDirectory}`);
    const standalone = withCdnFromAnyScriptUrl(original);
    // Segment's CDN writes the key into the bundle in place of this marker; so do we.
    const marker = '"__WRITE_KEY__"';
    const at = standalone.indexOf(marker);
    if (at === -1) throw new Error('the analytics.js bundle has no write key marker');
    this.standaloneHead = Buffer.from(standalone.slice(0, at));
    this.standaloneTail = Buffer.from(standalone.slice(at + marker.length));
  }

  static locate(): { umdDirectory: string } {
    const packageJson = require.resolve('@segment/analytics-next/package.json');
    return { umdDirectory: join(dirname(packageJson), 'dist', 'umd') };
  }

  /** The entry script with the write key embedded, as the snippet's script tag loads it. */
  standalone(writeKey: string): Buffer {
    return Buffer.concat([this.standaloneHead, Buffer.from(JSON.stringify(writeKey)), this.standaloneTail]);
  }

  /** A chunk or source map by file name; undefined for anything that is not in the bundle. */
  file(name: string): BundleFile | undefined {
    return this.files.get(name);
  }
}

// analytics.js takes its CDN (the origin of its settings and chunks) from the snippet's script
// URL, but only from an https one: any other URL sends it to Segment's own CDN, where our write
// keys do not exist. The pattern is widened to http and scheme-relative URLs, so the snippet with
// only its host changed works over plain http too. Everything else is left as Segment builds it.
const HTTPS_ONLY_CDN_PATTERN = String.raw`/(https:\/\/.*)\/analytics\.js\/v1\/`;
const ANY_SCHEME_CDN_PATTERN = String.raw`/((?:https?:)?\/\/.*)\/analytics\.js\/v1\/`;

function withCdnFromAnyScriptUrl(standalone: string): string {
  const at = standalone.indexOf(HTTPS_ONLY_CDN_PATTERN);
  if (at === -1 || standalone.indexOf(HTTPS_ONLY_CDN_PATTERN, at + 1) !== -1) {
    throw new Error('the analytics.js bundle does not have exactly one CDN pattern to widen');
  }
  return standalone.slice(0, at) + ANY_SCHEME_CDN_PATTERN + standalone.slice(at + HTTPS_ONLY_CDN_PATTERN.length);
}
