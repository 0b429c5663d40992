import { Router, type Request, type Response } from 'express';
import { sendCompressed } from '@manifold/compression';
import type { ConfigView } from '@manifold/config-client';
import { IngestionError } from '../http/errors';
import type { ProxyTrust } from '../http/proxy-trust';
import type { AnalyticsJsBundle } from './bundle';
import { CompressedStandalone } from './compressed-standalone';
import { analyticsSettings } from './settings-response';

export interface AnalyticsJsRoutesOptions {
  configView: ConfigView;
  bundle: AnalyticsJsBundle;
  proxyTrust: ProxyTrust;
  /** Where browsers reach this service (e.g. https://ingest.example.com); unset: the request's own host. */
  publicBaseUrl: string | undefined;
}

const FILE_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * What the standard snippet needs, with only its script host changed: the bundle with the key
 * embedded, its lazily loaded chunks, and the settings that send events back here.
 */
export function analyticsJsRoutes(options: AnalyticsJsRoutesOptions): Router {
  const router = Router();
  const { configView, bundle } = options;
  const compressedStandalone = new CompressedStandalone(bundle);

  const publicOrigin = (req: Request): URL => {
    if (options.publicBaseUrl) return new URL(options.publicBaseUrl);
    try {
      return new URL(`${options.proxyTrust.protocol(req)}://${options.proxyTrust.host(req) ?? 'localhost'}`);
    } catch {
      throw IngestionError.badRequest('the Host header is not a valid host');
    }
  };

  const knownSource = (writeKey: string) => {
    const source = configView.sourceForWriteKey(writeKey);
    if (!source) throw new IngestionError(404, 'unknown_source', 'no source has this write key');
    return source;
  };

  router.get('/v1/projects/:writeKey/settings', (req, res) => {
    const writeKey = String(req.params['writeKey']);
    const source = knownSource(writeKey);
    const destinationNames = [...new Set(configView.destinationsForSource(source.id).map((d) => d.catalogName))];
    res
      .set('cache-control', 'public, max-age=60')
      .json(analyticsSettings({ source, writeKey, publicOrigin: publicOrigin(req), destinationNames }));
  });

  router.get('/analytics.js/v1/:writeKey/:file', async (req, res) => {
    const writeKey = String(req.params['writeKey']);
    const file = String(req.params['file']);
    if (file === 'analytics.min.js' || file === 'analytics.js') {
      knownSource(writeKey);
      const body = await compressedStandalone.get(writeKey);
      // Not hashed (the URL stays the same across versions), so cached briefly and revalidated by ETag.
      res.set('cache-control', 'public, max-age=300').type('application/javascript; charset=utf-8');
      sendCompressed(req, res, body);
      return;
    }
    // The entry's source map is requested relative to the entry's URL.
    if (file === 'standalone.js.map') return sendBundleFile(req, res, bundle, file, 300);
    throw new IngestionError(404, 'not_found', `no such analytics.js file: ${file}`);
  });

  router.get('/analytics-next/bundles/:file', (req, res) => {
    const file = String(req.params['file']);
    // Chunk names carry a content hash, so they can be cached for good.
    sendBundleFile(req, res, bundle, file, 31536000);
  });

  return router;
}

function sendBundleFile(req: Request, res: Response, bundle: AnalyticsJsBundle, name: string, maxAge: number): void {
  const file = FILE_NAME.test(name) ? bundle.file(name) : undefined;
  if (!file) throw new IngestionError(404, 'not_found', `no such analytics.js file: ${name}`);
  res
    .set('cache-control', `public, max-age=${maxAge}${maxAge > 3600 ? ', immutable' : ''}`)
    .type(name.endsWith('.map') ? 'application/json' : 'application/javascript; charset=utf-8');
  // The package ships a gzip variant beside each file.
  sendCompressed(req, res, { identity: file.body, gzip: file.gzipped });
}
