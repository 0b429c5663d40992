import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TcpProxy } from '@manifold/testing';
import { defaultCatalog } from '../default-catalog';
import { cliRunner, startTestControlPlane, TEST_CATALOG, type Harness } from '../test-support/harness';
import { runCli } from './program';

describe('manifold CLI', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: [...TEST_CATALOG, ...defaultCatalog()] });
    dir = await mkdtemp(join(tmpdir(), 'manifold-cli-'));
  });

  afterAll(async () => {
    await h?.stop();
  });

  const cli = (...args: string[]) => cliRunner(h)(...args);

  it('creates a workspace and a source and prints its write key', async () => {
    expect((await cli('workspaces', 'create', 'demo', '--name', 'Demo', '--owner', 'me@demo.test')).code).toBe(0);
    const created = await cli(
      '--json',
      'sources',
      'create',
      'demo',
      'website',
      '--name',
      'Website',
      '--type',
      'javascript',
      '--category',
      'website',
    );
    expect(created.code).toBe(0);
    const source = JSON.parse(created.out) as { write_key: string; created_by: string };
    expect(source.write_key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(source.created_by).toBe('cli-test');
    const listed = await cli('sources', 'list', 'demo');
    expect(listed.out).toContain(source.write_key);
    expect(listed.out.split('\n')[0]).toMatch(/^SLUG\s+NAME\s+STATUS\s+ENVIRONMENT/);
  });

  it('manages destinations and warehouses, connections and the catalog', async () => {
    const bad = await cli(
      'destinations',
      'create',
      'demo',
      'A',
      '--catalog',
      'test-analytics',
      '--set',
      'apiKey=short',
      '--set',
      'region=mars',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('settings.apiKey: must be at least 8 characters long');
    expect(bad.err).toContain('settings.region: must be one of "us", "eu"');
    expect(
      (
        await cli(
          'destinations',
          'create',
          'demo',
          'A',
          '--catalog',
          'test-analytics',
          '--set',
          'apiKey=abcdefgh12',
          '--source',
          'website',
        )
      ).code,
    ).toBe(0);
    const shown = await cli('destinations', 'get', 'demo', 'A');
    expect(shown.out).toContain('"apiKey":"********"');
    expect(
      (
        await cli(
          'warehouses',
          'create',
          'demo',
          'DW',
          '--kind',
          'duckdb',
          '--set',
          `path=${dir}/dw.duckdb`,
          '--interval',
          '60',
        )
      ).code,
    ).toBe(0);
    expect((await cli('warehouses', 'connect', 'demo', 'website', 'DW')).out).toBe('DW sources: Website\n');
    const warehouses = await cli('--json', 'warehouses', 'list', 'demo');
    expect((JSON.parse(warehouses.out) as Array<{ name: string }>).map((w) => w.name)).toEqual(['DW']);
    const catalog = await cli('catalog', 'list', '--search', 'duck');
    expect(catalog.out).toMatch(/duckdb\s+DuckDB\s+Warehouses/);
    const missing = await cli('sources', 'get', 'demo', 'nope');
    expect(missing).toMatchObject({ code: 1, err: 'error: source "nope" not found\n' });
    const noToken = await runCli(['workspaces', 'list'], { stdout: () => undefined, stderr: () => undefined }, {});
    expect(noToken).toBe(1);
  });

  it('applies a workspace file idempotently, with a dry run and line-numbered errors', async () => {
    const file = join(dir, 'workspace.yaml');
    process.env['TEST_ANALYTICS_KEY'] = 'key-from-env-1';
    await writeFile(
      file,
      [
        'workspace:',
        '  slug: shop',
        '  name: Shop',
        '  owner: owner@shop.test',
        '  members:',
        '    - { email: dev@shop.test, role: member }',
        'sources:',
        '  - { slug: web, name: Web, type: javascript, category: website }',
        '  - { slug: api, name: API, type: node, category: server, environment: staging }',
        'destinations:',
        '  - name: Analytics',
        '    catalog: test-analytics',
        '    settings: { apiKey: "${TEST_ANALYTICS_KEY}", region: eu }',
        '    sources: [web, api]',
        'warehouses:',
        '  - name: Lake',
        '    kind: duckdb',
        '    interval: 120',
        `    settings: { path: ${dir}/lake.duckdb }`,
        '    sources: [web]',
        '',
      ].join('\n'),
    );
    const dry = await cli('apply', '-f', file, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('+ create workspace shop');
    expect(dry.out).toContain('dry run: 5 change(s) not applied');
    expect((await cli('workspaces', 'get', 'shop')).code).toBe(1);

    const first = await cli('apply', '-f', file);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('applied 5 change(s) to workspace shop');
    // The write keys of the sources it created, which the user needs next.
    const keys = await cli('--json', 'sources', 'list', 'shop');
    for (const { slug, write_key } of JSON.parse(keys.out) as Array<{ slug: string; write_key: string }>) {
      expect(first.out).toContain(`source ${slug} write key: ${write_key}\n`);
    }
    const second = await cli('apply', '-f', file);
    expect(second.out).toBe('no changes: workspace shop matches ' + file + '\n');

    // The secret is compared on the server: a new value is a change, the same value is not.
    process.env['TEST_ANALYTICS_KEY'] = 'key-from-env-2';
    const rotated = await cli('apply', '-f', file, '--dry-run');
    expect(rotated.out).toContain('~ update destination Analytics: settings.apiKey');
    await cli('apply', '-f', file);
    expect((await cli('apply', '-f', file)).out).toMatch(/^no changes/);
    const config = h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.name === 'Analytics');
    expect(config?.settings).toMatchObject({ apiKey: 'key-from-env-2', region: 'eu' });
    expect(config?.sourceIds).toHaveLength(2);

    const broken = join(dir, 'broken.yaml');
    await writeFile(
      broken,
      [
        'workspace:',
        '  slug: shop',
        '  name: Shop',
        '  owner: not-an-email',
        'sources:',
        '  - slug: web',
        '    name: Web',
        '    colour: blue',
        '',
      ].join('\n'),
    );
    const bad = await cli('apply', '-f', broken);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`${broken}:4:10: workspace.owner: Invalid email address`);
    expect(bad.err).toContain(`${broken}:6:5: sources[0].type: Invalid input: expected string, received undefined`);
    expect(bad.err).toContain(`${broken}:8:5: sources[0].colour: unknown field (not part of a workspace file)`);

    const rejected = join(dir, 'rejected.yaml');
    await writeFile(
      rejected,
      [
        'workspace: { slug: shop, name: Shop, owner: owner@shop.test }',
        'destinations:',
        '  - name: Bad',
        '    catalog: test-analytics',
        '    settings: { apiKey: x }',
        '',
      ].join('\n'),
    );
    const checkedFirst = await cli('apply', '-f', rejected);
    expect(checkedFirst).toMatchObject({
      code: 1,
      err: `error: ${rejected}:5:25: destinations[0].settings.apiKey: must be at least 8 characters long\n1 problem(s) in ${rejected}; nothing was changed\n`,
    });

    // The settings of a destination that exists are merged with its current ones, so the server checks them.
    const existing = join(dir, 'existing.yaml');
    await writeFile(
      existing,
      [
        'workspace: { slug: shop, name: Shop, owner: owner@shop.test, members: [{ email: dev@shop.test, role: member }] }',
        'sources:',
        '  - { slug: web, name: Web, type: javascript, category: website }',
        '  - { slug: api, name: API, type: node, category: server, environment: staging }',
        'destinations:',
        '  - name: Analytics',
        '    catalog: test-analytics',
        '    settings: { region: mars, colour: blue }',
        '    sources: [web, api]',
        '',
      ].join('\n'),
    );
    const merged = await cli('apply', '-f', existing, '--dry-run');
    expect(merged.code).toBe(1);
    expect(merged.err).toContain(`${existing}:8:25: destinations[0].settings.region: must be one of "us", "eu"`);
    expect(merged.err).toContain(
      `${existing}:8:39: destinations[0].settings.colour: is not a setting of this destination`,
    );
  });

  it('reports every problem of a file at once, with its line and field, and changes nothing', async () => {
    const file = join(dir, 'five.yaml');
    await writeFile(
      file,
      [
        'workspace: { slug: five, name: Five, owner: owner@five.test }',
        'sources:',
        '  - { slug: web, name: Web, type: javascript, category: website }',
        'destinations:',
        '  - name: Product analytics',
        '    catalog: mixpanell',
        '    settings: { projectToken: abc }',
        '  - name: Hook',
        '    catalog: webhook',
        '    settings:',
        '      url: not a url',
        '      batchSize: 5000',
        '      retries: 3',
        '    sources: [web, mobile]',
        '',
      ].join('\n'),
    );
    for (const args of [['--dry-run'], []]) {
      const result = await cli('apply', '-f', file, ...args);
      expect(result.code).toBe(1);
      expect(result.out).toBe('');
      expect(result.err.split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^error: ${file}:6:14: destinations\\[0\\]\\.catalog: no catalog entry mixpanell; one of: .*mixpanel`,
          ),
        ),
        `${file}:11:12: destinations[1].settings.url: must be a URL such as https://example.com/path`,
        `${file}:12:18: destinations[1].settings.batchSize: must be 1000 or less`,
        expect.stringMatching(
          new RegExp(
            `^${file}:13:16: destinations\\[1\\]\\.settings\\.retries: is not a setting of this destination \\(its settings: url, method, headers`,
          ),
        ),
        `${file}:14:20: destinations[1].sources[1]: no source mobile in the file`,
        `5 problem(s) in ${file}; nothing was changed`,
        '',
      ]);
    }
    expect(await cli('workspaces', 'get', 'five')).toMatchObject({
      code: 1,
      err: 'error: workspace "five" not found\n',
    });
  });

  it('says which changes were made when the control plane fails half-way', async () => {
    const [host = '', port = ''] = h.controlPlane.address.split(':');
    const proxy = new TcpProxy(host, Number(port));
    await proxy.start();
    const file = join(dir, 'cut.yaml');
    await writeFile(
      file,
      [
        'workspace: { slug: cut, name: Cut, owner: owner@cut.test }',
        'sources:',
        '  - { slug: a, name: A, type: javascript, category: website }',
        '  - { slug: b, name: B, type: node, category: server }',
        '',
      ].join('\n'),
    );
    let out = '';
    let err = '';
    const code = await runCli(
      ['apply', '-f', file],
      {
        stdout: (t) => {
          out += t;
          // The connection drops right after the first source is created, before the second is asked for.
          if (t.startsWith('source a write key:')) proxy.cut();
        },
        stderr: (t) => (err += t),
      },
      { CONTROL_PLANE_ADDRESS: `${host}:${proxy.port}`, CONTROL_PLANE_TOKEN: h.token },
    );
    await proxy.stop();
    expect(code).toBe(1);
    expect(out).toMatch(/^source a write key: [A-Za-z0-9]{32}$/m);
    expect(err).toMatch(new RegExp(`^error: ${file}:4:5: sources\\[1\\]: create source b failed:\n`));
    expect(err).toContain('2 of 3 change(s) were made before it:\n  + create workspace cut\n  + create source a\n');
    const made = await h.client.sources.listSources({ workspace: 'cut', page: { pageSize: 10 } });
    expect(made.sources.map((s) => s.slug)).toEqual(['a']);
  });

  it('refuses settings the catalog entry does not define, on create and on update', async () => {
    // test-email's schema does not close itself; the control plane closes it.
    const created = await cli(
      'destinations',
      'create',
      'demo',
      'Mailer',
      '--catalog',
      'test-email',
      '--set',
      'tokn=abc',
    );
    expect(created).toMatchObject({
      code: 1,
      out: '',
      err: 'error: invalid input:\n  settings.tokn: is not a setting of this destination (its settings: token)\n',
    });
    expect((await cli('destinations', 'create', 'demo', 'Mailer', '--catalog', 'test-email')).code).toBe(0);
    const updated = await cli('destinations', 'update', 'demo', 'Mailer', '--set', 'token=t1', '--set', 'region=eu');
    expect(updated.code).toBe(1);
    expect(updated.err).toContain('settings.region: is not a setting of this destination (its settings: token)');
    const config = h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.name === 'Mailer');
    expect(config?.settings).toEqual({});
  });

  it('prints typed values with --json', async () => {
    const source = JSON.parse((await cli('--json', 'sources', 'get', 'demo', 'website')).out) as Record<
      string,
      unknown
    >;
    expect(source).toMatchObject({
      slug: 'website',
      status: 'enabled',
      enabled: true,
      auto_disable_exempt: false,
      destinations: ['A', 'DW'],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      write_keys: [{ key: source['write_key'], created_at: expect.any(String), expires_at: null }],
    });
    const workspace = JSON.parse((await cli('--json', 'workspaces', 'get', 'demo')).out) as unknown;
    expect(workspace).toMatchObject({ members: [{ email: 'me@demo.test', role: 'owner' }] });
    const dw = JSON.parse((await cli('--json', 'warehouses', 'get', 'demo', 'DW')).out) as unknown;
    expect(dw).toMatchObject({ enabled: true, sync_interval_seconds: 60, settings: { path: `${dir}/dw.duckdb` } });
    const stats = JSON.parse((await cli('--json', 'destinations', 'stats', 'demo', 'A')).out) as unknown;
    expect(stats).toMatchObject({ delivered: 0, failed: 0, latencyP50Ms: 0, failuresByReason: [] });
    const rotated = JSON.parse((await cli('--json', 'sources', 'rotate-key', 'demo', 'website', '--grace', '60')).out);
    expect(rotated).toEqual([
      { key: expect.any(String), created_at: expect.any(String), expires_at: null },
      { key: source['write_key'], created_at: expect.any(String), expires_at: expect.any(String) },
    ]);
    expect((await cli('sources', 'rotate-key', 'demo', 'website', '--grace', '-1')).out).toMatch(
      /^KEY\s+EXPIRES_AT\n\S+\s+never\n$/,
    );
    expect(JSON.parse((await cli('--json', 'destinations', 'delete', 'demo', 'Mailer')).out)).toEqual({
      deleted: 'destination',
      workspace: 'demo',
      name: 'Mailer',
    });
  });

  it('runs as scripts/manifold with its own exit code and messages, from any directory', async () => {
    const bin = resolve(__dirname, '../../../../scripts/manifold');
    const env = { ...process.env, CONTROL_PLANE_ADDRESS: h.controlPlane.address, CONTROL_PLANE_TOKEN: h.token };
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
        execFile(bin, args, { cwd: tmpdir(), env }, (error, stdout, stderr) =>
          done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        );
      });
    const listed = await run('workspaces', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^SLUG\s+NAME\s+OWNER\s+ID\n/);
    expect(listed.stdout).toContain('shop');
    // The error alone: no package manager's lifecycle line after it.
    expect(await run('sources', 'get', 'demo', 'nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: source "nope" not found\n',
    });
    expect((await run('sources', 'frobnicate')).code).toBe(2);
  }, 30000);
});
