// @ts-check
// The configuration the benchmark's ingestion processes serve: one enabled source with one write key.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { InMemoryConfigView } = require('@manifold/config-client');

/** @param {string} writeKey @param {string} [sourceId] */
export function benchConfigView(writeKey, sourceId = 'src-bench') {
  return new InMemoryConfigView({
    version: 1,
    sources: [
      {
        id: sourceId,
        workspaceId: 'ws-bench',
        workspaceSlug: 'bench',
        slug: 'bench',
        name: 'Bench',
        enabled: true,
        writeKeys: [writeKey],
        type: 'http',
      },
    ],
    destinations: [],
    warehouses: [],
  });
}
