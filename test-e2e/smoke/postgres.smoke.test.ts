// A table round trip in the real warehouse PostgreSQL.
import { Client } from 'pg';
import { requirePostgres, testInfrastructure, uniqueName } from '@manifold/testing';

describe('warehouse PostgreSQL', () => {
  const { warehousePostgresUrl } = testInfrastructure();
  let client: Client;
  const schema = uniqueName('smoke').replace(/-/g, '_');

  beforeAll(async () => {
    await requirePostgres(warehousePostgresUrl);
    client = new Client({ connectionString: warehousePostgresUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client?.query(`drop schema if exists ${schema} cascade`);
    await client?.end();
  });

  it('creates a table, copies rows in, reads them back and rejects a duplicate key', async () => {
    await client.query(`create schema ${schema}`);
    await client.query(`create table ${schema}.tracks (id text primary key, event text not null, props jsonb)`);
    await client.query(`insert into ${schema}.tracks values ($1, $2, $3), ($4, $5, $6)`, [
      'm1',
      'Signed Up',
      { plan: 'pro' },
      'm2',
      'Order Completed',
      { total: 9.5 },
    ]);
    const { rows } = await client.query<{ id: string; event: string; props: Record<string, unknown> }>(
      `select id, event, props from ${schema}.tracks order by id`,
    );
    expect(rows).toEqual([
      { id: 'm1', event: 'Signed Up', props: { plan: 'pro' } },
      { id: 'm2', event: 'Order Completed', props: { total: 9.5 } },
    ]);
    await expect(client.query(`insert into ${schema}.tracks values ('m1', 'again', null)`)).rejects.toMatchObject({
      code: '23505',
    });
  });
});
