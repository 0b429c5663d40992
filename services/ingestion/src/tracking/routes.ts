import type { CallType } from '@manifold/events';

/** A POST route of the Tracking API; `name` is the metrics label. */
export type TrackingRoute =
  | { kind: 'call'; type: CallType; name: string }
  | { kind: 'batch'; name: string }
  | { kind: 'client-metrics'; name: string };

const CALLS: Array<[CallType, string]> = [
  ['identify', 'i'],
  ['track', 't'],
  ['page', 'p'],
  ['screen', 's'],
  ['group', 'g'],
  ['alias', 'a'],
];

function buildRoutes(): Map<string, TrackingRoute> {
  const routes = new Map<string, TrackingRoute>();
  for (const [type, short] of CALLS) {
    routes.set(`/v1/${type}`, { kind: 'call', type, name: `/v1/${type}` });
    // analytics.js posts to apiHost + "/" + the type's first letter.
    routes.set(`/v1/${short}`, { kind: 'call', type, name: `/v1/${short}` });
  }
  for (const path of ['/v1/batch', '/v1/b', '/v1/import']) routes.set(path, { kind: 'batch', name: path });
  routes.set('/v1/m', { kind: 'client-metrics', name: '/v1/m' });
  return routes;
}

const ROUTES = buildRoutes();

/** The route for a request target (query string and one trailing slash ignored). */
export function trackingRoute(url: string): TrackingRoute | undefined {
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return ROUTES.get(path);
}
