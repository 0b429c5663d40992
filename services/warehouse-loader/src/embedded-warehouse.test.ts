import { InMemoryConfigView } from '@manifold/config-client';
import { WithEmbeddedWarehouse, embeddedWarehouseId } from './embedded-warehouse';
import { snapshot, source, warehouse } from './testing/harness';

describe('the embedded DuckDB warehouse', () => {
  it('is connected to every enabled source, beside the configured warehouses', () => {
    const web = source();
    const off = source({ enabled: false });
    const pg = warehouse('postgres', { url: 'postgres://x@h/db' }, [web.id]);
    const inner = new InMemoryConfigView(snapshot([web, off], [pg]));
    const view = new WithEmbeddedWarehouse(inner, { path: '/data/w.duckdb', syncIntervalSeconds: 30 });
    const id = embeddedWarehouseId('/data/w.duckdb');
    expect(view.warehouses().map((w) => w.id)).toEqual([pg.id, id]);
    expect(view.warehouses()[1]).toMatchObject({
      kind: 'duckdb',
      settings: { path: '/data/w.duckdb' },
      syncIntervalSeconds: 30,
      sourceIds: [web.id],
    });
    expect(view.warehousesForSource(web.id).map((w) => w.id)).toEqual([pg.id, id]);
    expect(view.warehousesForSource(off.id)).toEqual([]);
    expect(embeddedWarehouseId('/data/other.duckdb')).not.toBe(id);

    const seen: number[] = [];
    view.onChange((s) => seen.push(s.warehouses.length));
    inner.replace(snapshot([web, off], [], 2));
    expect(seen).toEqual([1]);
  });
});
