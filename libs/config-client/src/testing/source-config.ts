import type { SourceConfig } from '../snapshot';

/**
 * A source as the configuration stream carries it, for tests: an enabled `javascript` source
 * `web` of workspace `acme` (`ws-1`) with no write key, and whatever the test says instead.
 */
export function sourceConfig(overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id: 'src-1',
    workspaceId: 'ws-1',
    workspaceSlug: 'acme',
    slug: 'web',
    name: 'Web',
    enabled: true,
    writeKeys: [],
    type: 'javascript',
    ...overrides,
  };
}
