// Webhook header values and URL credentials are secrets like API keys: encrypted at rest, masked
// in every read, in clear only on the config stream; `manifold apply` still compares them on the
// server. Real FerretDB, the control plane over gRPC, the real catalog.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/program';
import { defaultCatalog } from '../default-catalog';
import { grpcError, startTestControlPlane, TEST_CATALOG, type Harness } from '../test-support/harness';

const BEARER = 'Bearer hdr-token-4f9a1c77e2';
const PATH_TOKEN = 'B0PATHTOKEN42';
const QUERY_TOKEN = 'qtoken-5e8c2a';
const URL = `https://hook-user:hook-pass-77@hooks.example.test/services/${PATH_TOKEN}/in?token=${QUERY_TOKEN}`;
const SHARED_SECRET = 'shared-secret-90ab';
const CLEAR = [BEARER, 'hdr-token-4f9a1c77e2', PATH_TOKEN, QUERY_TOKEN, 'hook-pass-77', SHARED_SECRET, 'blue-team-7'];
const SHOWN_URL = `https://********@hooks.example.test/services/********/in?token=********`;

describe('credentials of destinations: header values and URLs', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: [...TEST_CATALOG, ...defaultCatalog()] });
    await h.client.workspaces.createWorkspace({ slug: 'acme', name: 'Acme', ownerEmail: 'o@acme.test', members: [] });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const expectNoClear = (text: string) => {
    for (const value of CLEAR) expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
  };

  it('stores them encrypted, masks every read, and gives them in clear to the data plane only', async () => {
    const created = await h.client.destinations.createDestination({
      workspace: 'acme',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: URL, headers: { Authorization: BEARER, 'X-Team': 'blue-team-7' }, sharedSecret: SHARED_SECRET },
      sources: [],
      syncIntervalSeconds: 0,
    });
    const shown = {
      url: SHOWN_URL,
      headers: { Authorization: '********', 'X-Team': '********' },
      sharedSecret: '********',
    };
    expect(created.settings).toMatchObject(shown);

    const raw = await h.controlPlane.domain.store.destinations.findOne({ _id: created.id });
    expectNoClear(JSON.stringify(raw));
    expect(JSON.stringify(raw)).not.toContain('hooks.example.test');
    expect(raw?.settings['url']).toMatch(/^enc:v1:/);

    const read = await h.client.destinations.getDestination({ workspace: 'acme', destination: 'Hook' });
    const listed = await h.client.destinations.listDestinations({ workspace: 'acme', page: { pageSize: 50 } });
    for (const reply of [created, read, listed]) expectNoClear(JSON.stringify(reply));
    expect(read.settings).toMatchObject(shown);

    await h.controlPlane.domain.broadcaster.refresh();
    const config = h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.id === created.id);
    expect(config?.settings).toMatchObject({
      url: URL,
      headers: { Authorization: BEARER, 'X-Team': 'blue-team-7' },
      sharedSecret: SHARED_SECRET,
    });
  });

  it('a read sent back changes nothing; a new header value is a change; a masked value with nothing saved is refused', async () => {
    const read = await h.client.destinations.getDestination({ workspace: 'acme', destination: 'Hook' });
    const resubmitted = await h.client.destinations.updateDestination({
      workspace: 'acme',
      destination: 'Hook',
      settings: read.settings,
      reason: '',
      dryRun: true,
    });
    expect(resubmitted.changedFields).toEqual([]);
    const same = await h.client.destinations.updateDestination({
      workspace: 'acme',
      destination: 'Hook',
      settings: { url: URL, headers: { Authorization: BEARER, 'X-Team': 'blue-team-7' } },
      reason: '',
      dryRun: true,
    });
    expect(same.changedFields).toEqual([]);
    const rotated = await h.client.destinations.updateDestination({
      workspace: 'acme',
      destination: 'Hook',
      settings: { headers: { Authorization: '********', 'X-Team': 'red-team-8' } },
      reason: '',
    });
    expect(rotated.changedFields).toEqual(['settings.headers']);
    expectNoClear(JSON.stringify(rotated));
    expect(JSON.stringify(rotated)).not.toContain('red-team-8');
    await h.controlPlane.domain.broadcaster.refresh();
    const config = h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.name === 'Hook');
    expect(config?.settings?.['headers']).toEqual({ Authorization: BEARER, 'X-Team': 'red-team-8' });

    const refused = await grpcError(
      h.client.destinations.updateDestination({
        workspace: 'acme',
        destination: 'Hook',
        settings: { headers: { 'X-New': '********' }, url: 'https://other.example.test/services/********' },
        reason: '',
      }),
    );
    expect(refused.violations.map((v) => v.field)).toEqual(['settings.headers.X-New', 'settings.url']);
  });

  it('a credential that cannot be opened is read as the mask, and the read still answers', async () => {
    const doc = await h.controlPlane.domain.store.destinations.findOne({ name: 'Hook' });
    const foreign = 'enc:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA';
    await h.controlPlane.domain.store.destinations.updateOne(
      { _id: doc!._id },
      { $set: { 'settings.url': foreign, 'settings.headers.Authorization': foreign } },
    );
    const read = await h.client.destinations.getDestination({ workspace: 'acme', destination: 'Hook' });
    expect(read.settings).toMatchObject({ url: '********', headers: { Authorization: '********' } });
    await h.controlPlane.domain.store.destinations.updateOne({ _id: doc!._id }, { $set: { settings: doc!.settings } });
  });

  it('encrypts, at start, credentials stored in clear before they were declared secrets', async () => {
    const doc = await h.controlPlane.domain.store.destinations.findOne({ name: 'Hook' });
    await h.controlPlane.domain.store.destinations.updateOne(
      { _id: doc!._id },
      { $set: { settings: { url: URL, headers: { Authorization: BEARER } } } },
    );
    expect(await h.controlPlane.domain.destinations.sealStoredSecrets()).toBe(1);
    expect(await h.controlPlane.domain.destinations.sealStoredSecrets()).toBe(0);
    const raw = await h.controlPlane.domain.store.destinations.findOne({ _id: doc!._id });
    expectNoClear(JSON.stringify(raw));
    expect(h.controlPlane.domain.destinations.openSettings(raw!)).toEqual({
      url: URL,
      headers: { Authorization: BEARER },
    });
  });

  it('`manifold apply` with header values and a URL token: a second apply changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifold-credentials-'));
    const file = join(dir, 'workspace.yaml');
    await writeFile(
      file,
      [
        'workspace: { slug: hooks, name: Hooks, owner: o@hooks.test }',
        'sources:',
        '  - { slug: web, name: Web, type: javascript, category: website }',
        'destinations:',
        '  - name: Slack',
        '    catalog: webhook',
        `    settings: { url: "${URL}", headers: { Authorization: "${BEARER}" } }`,
        '    sources: [web]',
        '',
      ].join('\n'),
    );
    let out = '';
    let err = '';
    const apply = () =>
      runCli(
        ['apply', '-f', file],
        { stdout: (t) => (out += t), stderr: (t) => (err += t) },
        { CONTROL_PLANE_ADDRESS: h.controlPlane.address, CONTROL_PLANE_TOKEN: h.token, MANIFOLD_ACTOR: 'test' },
      );
    expect(await apply()).toBe(0);
    expect(out).toContain('applied 3 change(s)');
    out = '';
    expect(await apply()).toBe(0);
    expect(out).toBe(`no changes: workspace hooks matches ${file}\n`);
    expect(err).toBe('');
  });
});
