import { Catalog } from './domain/catalog';
import { defaultCatalog } from './default-catalog';

describe('the default catalog', () => {
  const catalog = new Catalog(defaultCatalog());

  it('lists every destination and warehouse defined in code, once', () => {
    const ids = catalog.list().map((e) => e.id);
    expect(ids).toEqual(
      expect.arrayContaining(['webhook', 'mixpanel', 'amplitude', 'google-analytics-4', 'postgres', 'duckdb']),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of catalog.list()) expect(entry.categories.length).toBeGreaterThan(0);
  });

  it('knows the secret settings and validates settings with the definitions’ schemas', () => {
    expect(catalog.secrets('postgres')).toEqual({ url: 'whole', password: 'whole' });
    expect(catalog.secrets('mixpanel')).toEqual({ apiSecret: 'whole', apiBaseUrl: 'url' });
    expect(catalog.secrets('webhook')).toEqual({ url: 'url', headers: 'values', sharedSecret: 'whole' });
    expect(catalog.validateSettings('duckdb', {})).toEqual([{ field: 'settings.path', message: 'is required' }]);
    expect(catalog.validateSettings('duckdb', { path: '/tmp/x.duckdb' })).toEqual([]);
    expect(catalog.validateSettings('mixpanel', {}).length).toBeGreaterThan(0);
  });
});
