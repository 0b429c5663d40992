// For tests that start a data-plane service from a configuration cache written beforehand, as
// the stream client writes it: `@manifold/config-client/testing`, apart from the package's API.
export { ConfigCache, configCacheBox } from '../config-cache';
export { sourceConfig } from './source-config';
