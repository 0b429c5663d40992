// A destination's mappings through the `manifold` CLI and `manifold apply`, against a real
// control plane with the destinations in code (FerretDB).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetMappings } from '@manifold/destination-kit';
import { webhook } from '@manifold/destinations';
import { defaultCatalog } from '../default-catalog';
import { cliRunner, startTestControlPlane, type Harness } from '../test-support/harness';

const WORKSPACE = [
  'workspace: { slug: maps, name: Maps, owner: owner@maps.test }',
  'sources:',
  '  - { slug: web, name: Web, type: javascript, category: website }',
  'destinations:',
  '  - name: Hook',
  '    catalog: webhook',
  '    settings: { url: "https://hooks.example.com/in" }',
  '    sources: [web]',
  '    mappings:',
  '      - id: signup',
  '        name: Signups, renamed',
  '        trigger: type = "track" and event = "Signed Up"',
  '        action: send',
  '        fields:',
  '          data:',
  '            event: signup',
  '            plan: { "@path": "$.context.traits.plan" }',
  '',
];

const SIGNUP = {
  id: 'signup',
  name: 'Signups, renamed',
  enabled: true,
  trigger: 'type = "track" and event = "Signed Up"',
  action: 'send',
  fields: { data: { event: 'signup', plan: { '@path': '$.context.traits.plan' } } },
};

describe('manifold CLI: destination mappings', () => {
  let h: Harness;
  let dir: string;
  let cli: ReturnType<typeof cliRunner>;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    cli = cliRunner(h);
    dir = await mkdtemp(join(tmpdir(), 'manifold-mappings-'));
  });

  afterAll(async () => {
    await h?.stop();
  });

  const mappingsOf = async () => {
    const d = await h.client.destinations.getDestination({ workspace: 'maps', destination: 'Hook' });
    return { version: d.mappingsVersion, mappings: d.mappings };
  };

  it('applies the mappings of a workspace file idempotently, and names the problems of bad ones by their line', async () => {
    const file = join(dir, 'workspace.yaml');
    await writeFile(file, WORKSPACE.join('\n'));
    const first = await cli('apply', '-f', file);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(await mappingsOf()).toEqual({ version: 2, mappings: [SIGNUP] });
    expect((await cli('apply', '-f', file)).out).toMatch(/^no changes/);

    const changed = join(dir, 'changed.yaml');
    await writeFile(changed, WORKSPACE.join('\n').replace('event: signup', 'event: sign_up'));
    expect((await cli('apply', '-f', changed, '--dry-run')).out).toContain('~ update mappings of Hook (1)');
    await cli('apply', '-f', changed);
    expect((await mappingsOf()).version).toBe(3);

    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      WORKSPACE.join('\n').replace('action: send', 'action: explode').replace('type = "track"', 'type = = "track"'),
    );
    const refused = await cli('apply', '-f', bad);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${bad}:12:18: destinations[0].mappings[0].trigger: is not valid FQL`);
    expect(refused.err).toContain(`${bad}:13:17: destinations[0].mappings[0].action: is not an action of Webhook`);
    expect((await mappingsOf()).version).toBe(3);
  });

  it('reads, sets from a file, lists versions, rolls back and resets', async () => {
    const got = await cli('--json', 'destinations', 'mappings', 'get', 'maps', 'Hook');
    expect(JSON.parse(got.out)).toMatchObject({ version: 3, mappings: [{ id: 'signup' }] });

    const file = join(dir, 'mappings.json');
    await writeFile(file, JSON.stringify([{ ...SIGNUP, id: 'clicks', trigger: 'event = "Clicked"' }]));
    const set = await cli('destinations', 'mappings', 'set', 'maps', 'Hook', '-f', file, '--comment', 'clicks');
    expect(set).toMatchObject({ code: 0, err: '' });
    expect(set.out).toMatch(/^version 4\n/);
    expect(set.out).toContain('clicks');

    const versions = await cli('destinations', 'mappings', 'versions', 'maps', 'Hook');
    expect(versions.out).toContain('manifold apply');
    expect(versions.out).toContain('added clicks (Signups, renamed); removed signup (Signups, renamed)');

    const rollback = await cli('destinations', 'mappings', 'rollback', 'maps', 'Hook', '2');
    expect(rollback.out).toBe("mappings of Hook are version 2's again, as version 5\n");
    expect(await mappingsOf()).toEqual({ version: 5, mappings: [SIGNUP] });

    const badFile = join(dir, 'bad.json');
    await writeFile(badFile, JSON.stringify([{ ...SIGNUP, fields: {} }]));
    const refused = await cli('destinations', 'mappings', 'set', 'maps', 'Hook', '-f', badFile);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('mappings[0].fields.data: is required by Send and has no default: map it');

    const reset = await cli('--json', 'destinations', 'mappings', 'reset', 'maps', 'Hook');
    expect(JSON.parse(reset.out)).toEqual({ version: 6, mappings: presetMappings(webhook) });
  });
});
