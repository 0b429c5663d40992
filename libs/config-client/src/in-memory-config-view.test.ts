import { InMemoryConfigView, type ConfigSnapshot } from './index';

const snapshot: ConfigSnapshot = {
  version: 3,
  sources: [
    {
      id: 's1',
      workspaceId: 'w1',
      workspaceSlug: 'acme',
      slug: 'web',
      name: 'Web',
      enabled: true,
      writeKeys: ['k-old', 'k-new'],
      type: 'javascript',
    },
  ],
  destinations: [
    {
      id: 'd1',
      workspaceId: 'w1',
      catalogId: 'mixpanel',
      catalogName: 'Mixpanel',
      name: 'MP',
      enabled: true,
      settings: {},
      sourceIds: ['s1'],
      filters: [],
    },
    {
      id: 'd2',
      workspaceId: 'w1',
      catalogId: 'webhook',
      catalogName: 'Webhook',
      name: 'Hook',
      enabled: false,
      settings: {},
      sourceIds: ['s1'],
      filters: [],
    },
  ],
  warehouses: [
    {
      id: 'wh1',
      workspaceId: 'w1',
      name: 'PG',
      enabled: true,
      kind: 'postgres',
      settings: {},
      syncIntervalSeconds: 60,
      sourceIds: ['s1'],
    },
  ],
};

describe('InMemoryConfigView', () => {
  it('looks up sources by every write key, and only enabled connected destinations', () => {
    const view = new InMemoryConfigView(snapshot);
    expect(view.version).toBe(3);
    expect(view.sourceForWriteKey('k-old')?.id).toBe('s1');
    expect(view.sourceForWriteKey('k-new')?.id).toBe('s1');
    expect(view.sourceForWriteKey('nope')).toBeUndefined();
    expect(view.destinationsForSource('s1').map((d) => d.id)).toEqual(['d1']);
    expect(view.destinationsForSource('s1', 'webhook')).toEqual([]);
    expect(view.destination('d2')?.enabled).toBe(false);
    expect(view.warehousesForSource('s1').map((w) => w.id)).toEqual(['wh1']);
  });

  it('notifies listeners when the snapshot is replaced', () => {
    const view = new InMemoryConfigView();
    const seen: number[] = [];
    const off = view.onChange((s) => seen.push(s.version));
    view.replace(snapshot);
    off();
    view.replace({ ...snapshot, version: 4 });
    expect(seen).toEqual([3]);
    expect(view.version).toBe(4);
  });
});
