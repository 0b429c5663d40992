// A destination's mappings through the Public API, against a real control plane and FerretDB.
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import type { DestinationMapping, DestinationMappingVersion } from './types';

interface Mappings {
  mappings: DestinationMapping[];
  version: number;
}
interface Problem {
  error: { code: string; message: string; fields: Array<{ field: string; message: string }> };
}

describe('console Public API: destination mappings', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let base: string;

  beforeAll(async () => {
    stack = await startConsoleStack({ catalog: 'default' });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@maps.test', 'correct horse battery', 'maps', 'Maps')).status).toBe(201);
    const created = await owner.call('POST', '/api/v1/workspaces/maps/destinations', {
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: 'https://hooks.example.com/in' },
    });
    expect(created.status).toBe(201);
    base = `/api/v1/workspaces/maps/destinations/${String(created.body['id'])}/mappings`;
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('reads, refuses with field paths, saves, lists versions, rolls back and resets', async () => {
    const presets = await owner.call<Mappings>('GET', base);
    expect(presets.status).toBe(200);
    expect(presets.body.version).toBe(1);
    expect(presets.body.mappings.map((m) => m.id)).toContain('preset-track-1');

    const signup = {
      name: 'Signups',
      enabled: true,
      trigger: 'event = "Signed Up"',
      action: 'send',
      fields: { data: { event: { '@case': { operator: 'upper', value: { '@path': '$.event' } } } } },
    };
    const bad = await owner.call<Problem>('PUT', base, {
      mappings: [
        { ...signup, trigger: 'event ==' },
        { ...signup, fields: { data: { '@case': { operator: 'title' } } } },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_argument');
    expect(bad.body.error.fields.map((f) => f.field)).toEqual([
      'mappings[0].trigger',
      'mappings[1].fields.data.@case.operator',
    ]);

    const saved = await owner.call<Mappings>('PUT', base, {
      mappings: [signup],
      comment: 'signups',
      expectedVersion: 1,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);
    expect(saved.body.mappings).toEqual([{ ...signup, id: expect.stringMatching(/^map_/) as string }]);
    const stale = await owner.call<Problem>('PUT', base, { mappings: [signup], expectedVersion: 1 });
    // Someone else saved since version 1: refused, nothing overwritten.
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(stale.body.error.message).toContain('read them again');

    const versions = await owner.call<{ versions: DestinationMappingVersion[] }>('GET', `${base}/versions`);
    expect(versions.body.versions.map((v) => [v.version, v.changedBy, v.comment])).toEqual([
      [2, 'owner@maps.test', 'signups'],
      [1, 'owner@maps.test', 'created with the presets'],
    ]);

    const rolledBack = await owner.call<Mappings>('POST', `${base}/rollback`, { version: 1 });
    expect([rolledBack.body.version, rolledBack.body.mappings]).toEqual([3, presets.body.mappings]);
    await owner.call('PUT', base, { mappings: [signup] });
    const reset = await owner.call<Mappings>('POST', `${base}/reset`, {});
    expect([reset.body.version, reset.body.mappings]).toEqual([5, presets.body.mappings]);
  });
});
