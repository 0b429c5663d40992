// The data plane's snapshot is built item by item: one stored destination, warehouse or webhook
// source that cannot be read (a credential sealed with another key, a document of another shape)
// is left out and logged once, and every other change still reaches the data plane. Real FerretDB,
// the control plane over gRPC.
import { Writable } from 'node:stream';
import { createLogger } from '@manifold/logger';
import { defaultCatalog } from '../default-catalog';
import { startTestControlPlane, TEST_CATALOG, type Harness } from '../test-support/harness';

/** A value sealed with a key that is not the control plane's: it cannot be opened. */
const FOREIGN = 'enc:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA';

describe('config snapshot: an item that cannot be read', () => {
  let h: Harness;
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'control-plane',
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  const leftOut = () => lines.filter((l) => typeof l['msg'] === 'string' && / cannot be read/.test(l['msg']));

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: [...TEST_CATALOG, ...defaultCatalog()], logger });
    await h.client.workspaces.createWorkspace({ slug: 'acme', name: 'Acme', ownerEmail: 'o@acme.test', members: [] });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('is left out and said once; the others, and later changes, still reach the data plane', async () => {
    const web = await h.client.sources.createSource({
      workspace: 'acme',
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    const hook = await h.client.sources.createSource({
      workspace: 'acme',
      slug: 'stripe',
      name: 'Stripe',
      environment: 'prod',
      type: 'webhook',
      category: 'cloud app',
      webhook: { kind: 'stripe', signingSecret: 'whsec-first' },
    });
    const create = (name: string) =>
      h.client.destinations.createDestination({
        workspace: 'acme',
        name,
        catalogId: 'webhook',
        settings: { url: `https://hooks.example.test/${name.toLowerCase()}` },
        sources: ['web'],
        syncIntervalSeconds: 0,
      });
    // Listed first, so that it comes before the others in the build.
    const broken = await create('Broken');
    const good = await create('Good');
    const warehouse = await h.client.destinations.createDestination({
      workspace: 'acme',
      name: 'DW',
      catalogId: 'postgres',
      settings: { url: 'postgres://loader:s3cret@127.0.0.1:5433/dw' },
      sources: ['web'],
      syncIntervalSeconds: 60,
    });
    const { store } = h.controlPlane.domain;
    // As a database restored under another key, or a document edited by hand, would hold them.
    await store.destinations.updateOne({ _id: broken.id }, { $set: { 'settings.url': FOREIGN } });
    await store.destinations.updateOne({ _id: warehouse.id }, { $set: { 'settings.url': FOREIGN } });
    await store.sources.updateOne({ _id: hook.id }, { $set: { 'webhook.signingSecret': FOREIGN } });

    // A write made now is accepted and streamed; the items that cannot be read are left out.
    const later = await create('Later');
    const snapshot = h.controlPlane.domain.broadcaster.current();
    expect(snapshot.destinations.map((d) => d.name).sort()).toEqual(['Good', 'Later']);
    expect(snapshot.destinations.find((d) => d.id === good.id)?.settings).toMatchObject({
      url: 'https://hooks.example.test/good',
    });
    expect(snapshot.warehouses).toEqual([]);
    // The webhook source still takes events by write key: only its webhook settings are left out.
    const streamedHook = snapshot.sources.find((s) => s.id === hook.id);
    expect(streamedHook).toMatchObject({ id: hook.id, enabled: true });
    expect(streamedHook?.webhook).toBeUndefined();
    expect(snapshot.sources.find((s) => s.id === web.id)).toMatchObject({ enabled: true });

    expect(leftOut().map((l) => [l['destinationId'] ?? l['warehouseId'] ?? l['sourceId'], l['level']])).toEqual(
      expect.arrayContaining([
        [broken.id, 50],
        [warehouse.id, 50],
        [hook.id, 50],
      ]),
    );
    expect(leftOut()).toHaveLength(3);
    // No setting's value is logged.
    expect(JSON.stringify(leftOut())).not.toContain('enc:v1:');

    // Said once: the next rebuild (another write) says nothing new about them.
    await h.client.destinations.updateDestination({
      workspace: 'acme',
      destination: 'Later',
      enabled: false,
      reason: 'test',
    });
    expect(h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.id === later.id)?.enabled).toBe(
      false,
    );
    expect(leftOut()).toHaveLength(3);

    // Readable again (the document restored), it is back at the next rebuild.
    await store.destinations.updateOne(
      { _id: broken.id },
      { $set: { 'settings.url': (await store.destinations.findOne({ _id: good.id }))?.settings['url'] } },
    );
    await h.client.destinations.updateDestination({
      workspace: 'acme',
      destination: 'Later',
      enabled: true,
      reason: '',
    });
    expect(h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.id === broken.id)).toMatchObject({
      name: 'Broken',
      settings: { url: 'https://hooks.example.test/good' },
    });
    expect(leftOut()).toHaveLength(3);
  });

  it('is repaired by sending its unreadable credentials again; an update that leaves them out is refused', async () => {
    const repaired = await h.client.destinations.createDestination({
      workspace: 'acme',
      name: 'Repaired',
      catalogId: 'webhook',
      settings: {
        url: 'https://hooks.example.test/repaired',
        headers: { Authorization: 'Bearer old-token-1234', 'X-Team': 'growth' },
      },
      sources: ['web'],
      syncIntervalSeconds: 0,
    });
    const { store } = h.controlPlane.domain;
    await store.destinations.updateOne(
      { _id: repaired.id },
      { $set: { 'settings.url': FOREIGN, 'settings.headers.Authorization': FOREIGN } },
    );
    const update = (settings: Record<string, unknown>) =>
      h.client.destinations.updateDestination({
        workspace: 'acme',
        destination: 'Repaired',
        settings,
        reason: 'credentials again',
      });

    // Another setting alone: the unreadable ones would be lost, so the update says which to send.
    await expect(update({ batchSize: 10 })).rejects.toMatchObject({
      code: 3,
      details: expect.stringMatching(
        /settings\.url: cannot be read with this control plane's secret key: send it again/,
      ),
    });
    await expect(update({ batchSize: 10 })).rejects.toMatchObject({
      details: expect.stringMatching(/settings\.headers\.Authorization: cannot be read/),
    });

    // Both sent again (the readable header kept as the read shows it, masked): streamed again.
    const read = await h.client.destinations.getDestination({ workspace: 'acme', destination: 'Repaired' });
    const shownHeaders = (read.settings as Record<string, Record<string, string>>)['headers'];
    const after = await update({
      url: 'https://hooks.example.test/repaired-again',
      headers: { Authorization: 'Bearer new-token-5678', 'X-Team': shownHeaders?.['X-Team'] as string },
    });
    expect(after.changedFields).toEqual(expect.arrayContaining(['settings.url', 'settings.headers']));
    expect(h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.id === repaired.id)).toMatchObject({
      settings: {
        url: 'https://hooks.example.test/repaired-again',
        headers: { Authorization: 'Bearer new-token-5678', 'X-Team': 'growth' },
      },
    });
  });
});
