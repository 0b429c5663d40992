// `manifold destinations test`: the mapping tester from the CLI, against a real control plane
// (FerretDB) and the webhook emulator.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookEmulator } from '@manifold/emulators';
import { defaultCatalog } from '../default-catalog';
import { cliRunner, startTestControlPlane, type Harness } from '../test-support/harness';

const SECRET = 'Bearer cli-hook-secret-91ad';

describe('manifold CLI: destinations test', () => {
  let h: Harness;
  let hook: WebhookEmulator;
  let cli: ReturnType<typeof cliRunner>;
  let eventPath: string;
  let mappingsPath: string;

  beforeAll(async () => {
    hook = await new WebhookEmulator({ requiredHeaders: { authorization: SECRET } }).start();
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    cli = cliRunner(h);
    await h.client.workspaces.createWorkspace({ slug: 'cli', name: 'CLI', ownerEmail: 'o@cli.test', members: [] });
    await h.client.destinations.createDestination({
      workspace: 'cli',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in`, headers: { authorization: SECRET } },
      sources: [],
      syncIntervalSeconds: 0,
    });
    const dir = await mkdtemp(join(tmpdir(), 'manifold-test-'));
    eventPath = join(dir, 'event.json');
    await writeFile(eventPath, JSON.stringify({ type: 'track', event: 'Signed Up', userId: 'user-1' }));
    mappingsPath = join(dir, 'mappings.yaml');
    await writeFile(
      mappingsPath,
      [
        '- name: Signups',
        '  enabled: true',
        '  trigger: event = "Signed Up"',
        '  action: send',
        '  fields: { data: { event: signup, user: { "@path": "$.userId" } } }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await h?.stop();
    await hook?.close();
  });

  it('prints the matches and the masked request, sends them (200, then a 400 with its body), and prints JSON', async () => {
    const dry = await cli('destinations', 'test', 'cli', 'Hook', '--event', eventPath);
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toMatch(/^\[1\] Send \(track\) \(send\): matched$/m);
    expect(dry.out).toMatch(/^\[0\] Send \(identify\) \(send\): no match$/m);
    expect(dry.out).toContain(`  > POST ${hook.baseUrl}/in`);
    expect(dry.out).not.toContain('cli-hook-secret');
    expect(dry.out).not.toContain('sent');
    expect(hook.requests).toHaveLength(0);

    const sent = await cli('destinations', 'test', 'cli', 'Hook', '-e', eventPath, '-m', mappingsPath, '--send');
    expect(sent).toMatchObject({ code: 0, err: '' });
    expect(sent.out).toContain('payload {"data":{"event":"signup","user":"user-1"}}');
    expect(sent.out).toMatch(/^sent 1 request\(s\):\n\[0\] delivered\n/m);
    expect(sent.out).toMatch(/^ {2}< 200$/m);
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ event: 'signup', user: 'user-1' }]);

    hook.failNext(1, { status: 400, body: { error: `unknown event for ${SECRET}` } });
    const refused = await cli('destinations', 'test', 'cli', 'Hook', '-e', eventPath, '-m', mappingsPath, '--send');
    expect(refused.code).toBe(0);
    expect(refused.out).toMatch(/^\[0\] dead-letter: REJECTED: HTTP 400/m);
    expect(refused.out).toMatch(/^ {2}< 400$/m);
    expect(refused.out).toContain('unknown event for');
    expect(refused.out).not.toContain('cli-hook-secret');

    const json = await cli('destinations', 'test', 'cli', 'Hook', '-e', eventPath, '--json');
    const parsed = JSON.parse(json.out) as { mappings: Array<{ matched: boolean; requests: unknown[] }> };
    expect(parsed.mappings.filter((m) => m.matched).map((m) => m.requests.length)).toEqual([1]);

    const stats = await h.client.destinations.getDeliveryStats({ workspace: 'cli', destination: 'Hook' });
    expect(stats).toMatchObject({ delivered: 0, failed: 0, testSends: 2 });
  });

  it('names the problems of a bad event or bad draft mappings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifold-test-bad-'));
    const badEvent = join(dir, 'bad.json');
    await writeFile(badEvent, '[1, 2]');
    const notAnEvent = await cli('destinations', 'test', 'cli', 'Hook', '-e', badEvent);
    expect(notAnEvent.code).not.toBe(0);
    expect(notAnEvent.err).toContain('must hold one event');

    const badMappings = join(dir, 'mappings.json');
    await writeFile(badMappings, JSON.stringify([{ name: 'x', enabled: true, trigger: 'event ==', action: 'send' }]));
    const refused = await cli('destinations', 'test', 'cli', 'Hook', '-e', eventPath, '-m', badMappings);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('mappings[0].trigger');
  });
});
