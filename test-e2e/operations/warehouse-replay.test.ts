// A replay into a warehouse: rows deleted by hand are loaded again from the events topic for the
// replayed range only, each once (the loader merges on id), through the real warehouse loader
// and PostgreSQL.
import type { SpecEvent } from '@manifold/events';
import { testInfrastructure, uniqueName } from '@manifold/testing';
import { Client } from 'pg';
import {
  eventually,
  startOperationsStack,
  type OperationsStack,
} from '../../services/control-plane/src/test-support/operations-stack';

const MINUTE = 60_000;

describe('replay to a warehouse', () => {
  let stack: OperationsStack;
  let pg: Client;
  const slug = uniqueName('whreplay')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 30);
  const { warehousePostgresUrl } = testInfrastructure();
  const t0 = Date.now() - 10 * MINUTE;
  const events: SpecEvent[] = Array.from({ length: 6 }, (_, i) => {
    const at = new Date(t0 + i * MINUTE).toISOString();
    return {
      type: 'track',
      event: 'Song Played',
      messageId: `wr-${i}-${Math.random().toString(36).slice(2, 8)}`,
      userId: `u${i}`,
      properties: { i },
      timestamp: at,
      receivedAt: at,
      context: {},
      integrations: {},
    };
  });
  const ids = async (): Promise<string[]> =>
    (
      await pg.query<{ id: string }>(`SELECT id FROM "${slug}".tracks ORDER BY id`).catch(() => ({ rows: [] }))
    ).rows.map((r) => r.id);

  beforeAll(async () => {
    pg = new Client({ connectionString: warehousePostgresUrl });
    await pg.connect();
    stack = await startOperationsStack({ warehouses: true });
    const { client } = stack.cp;
    const ws = await client.workspaces.createWorkspace({ slug: 'wh', name: 'WH', ownerEmail: 'o@wh.test' });
    const source = await client.sources.createSource({
      workspace: 'wh',
      slug,
      name: 'Web',
      type: 'javascript',
      environment: 'prod',
      category: 'website',
    });
    const warehouse = await client.destinations.createDestination({
      workspace: 'wh',
      name: 'Postgres',
      catalogId: 'postgres',
      settings: { url: warehousePostgresUrl },
      sources: [slug],
      syncIntervalSeconds: 1,
    });
    await eventually(
      async () => stack.configView.warehouses().some((w) => w.id === warehouse.id),
      (ok) => ok,
    );
    for (const e of events)
      await stack.publish([e], { sourceId: source.id, workspaceId: ws.id }, Date.parse(e.receivedAt));
    await eventually(ids, (loaded) => loaded.length === events.length, 60_000);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await pg?.query(`DROP SCHEMA IF EXISTS "${slug}" CASCADE`).catch(() => undefined);
    await pg?.end();
  });

  it('loads the replayed range again, each event once, and nothing outside it', async () => {
    await pg.query(`DELETE FROM "${slug}".tracks`);
    const inRange = events.slice(2, 4).map((e) => e.messageId);
    const replay = (): ReturnType<typeof stack.cp.client.replays.startReplay> =>
      stack.cp.client.replays.startReplay({
        workspace: 'wh',
        source: slug,
        destination: 'Postgres',
        from: new Date(t0 + 2 * MINUTE),
        to: new Date(t0 + 4 * MINUTE),
      });
    const started = await replay();
    expect(started.warehouse).toBe(true);
    const done = await eventually(
      () => stack.cp.client.replays.getReplay({ workspace: 'wh', id: started.id }),
      (r) => r.status === 'done',
    );
    expect(done.sent).toBe(2);
    expect(await eventually(ids, (loaded) => loaded.length === 2, 60_000)).toEqual([...inRange].sort());
    // Again: the rows are there, the loader's merge on id keeps one each.
    const again = await replay();
    await eventually(
      () => stack.cp.client.replays.getReplay({ workspace: 'wh', id: again.id }),
      (r) => r.status === 'done',
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await ids()).toEqual([...inRange].sort());
  }, 120_000);
});
