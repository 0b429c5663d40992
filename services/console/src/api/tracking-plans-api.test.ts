// Tracking plans through the Public API against a real control plane and FerretDB: a plan refused
// with its schema problem on its path, created on a source, a draft previewed (diff and problems,
// nothing saved), saved as version 2 (a stale expectedVersion refused), versions listed and
// diffed, version 1 restored, its source disconnected and connected again; read-only members
// read but do not save, and another workspace's plan is not found.
import { ConsoleClient, joinByInvitation } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

interface Problem {
  error: { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}
interface Plan {
  id: string;
  name: string;
  version: number;
  sourceIds: string[];
  rules: { events: Record<string, unknown>; policies: Record<string, string> };
  savedAt: string | null;
}
interface Change {
  path: string;
  change: string;
  before?: unknown;
  after?: unknown;
}

const PASSWORD = 'correct horse battery';
const orderCompleted = {
  type: 'object',
  properties: { total: { type: 'number' }, currency: { type: 'string', enum: ['EUR', 'USD'] } },
  required: ['total'],
};

describe('console Public API: tracking plans', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let reader: ConsoleClient;
  let sourceId: string;
  const base = '/api/v1/workspaces/plans/tracking-plans';

  beforeAll(async () => {
    stack = await startConsoleStack();
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@plans.test', PASSWORD, 'plans', 'Plans')).status).toBe(201);
    const source = await owner.call<{ id: string }>('POST', '/api/v1/workspaces/plans/sources', {
      slug: 'web',
      name: 'Website',
    });
    expect(source.status).toBe(201);
    sourceId = source.body.id;
    reader = await joinByInvitation(owner, 'plans', 'reader@plans.test', 'read-only', PASSWORD);
    expect((await owner.call('POST', '/api/v1/workspaces', { slug: 'other', name: 'Other' })).status).toBe(201);
  }, 90000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates, previews, saves versions, diffs, restores and connects sources', async () => {
    const refused = await owner.call<Problem>('POST', base, {
      name: 'Shop',
      rules: { events: { 'Order Completed': { type: 'object', properties: { total: { type: 'numbr' } } } } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields?.map((f) => f.field)).toContain(
      'rules.events.Order Completed/properties/total/type',
    );
    const badPolicy = await owner.call<Problem>('POST', base, {
      name: 'Shop',
      rules: { events: {}, policies: { violations: 'explode' } },
    });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.body.error.fields?.map((f) => f.field)).toEqual(['rules.policies.violations']);

    const created = await owner.call<Plan>('POST', base, {
      name: 'Shop',
      sources: ['web'],
      rules: { events: { 'Order Completed': orderCompleted }, policies: { unplannedEvents: 'block' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Shop', version: 1, sourceIds: [sourceId] });
    expect(created.body.rules.policies).toEqual({
      unplannedEvents: 'block',
      unplannedProperties: 'allow',
      violations: 'allow',
    });
    const plan = `${base}/${created.body.id}`;

    const draft = {
      events: { 'Order Completed': orderCompleted, 'Cart Viewed': { type: 'object' } },
      policies: { unplannedEvents: 'block', violations: 'block' },
    };
    const preview = await owner.call<{ changes: Change[]; problems: unknown[]; latestVersion: number }>(
      'POST',
      `${plan}/preview`,
      { rules: draft },
    );
    expect(preview.status).toBe(200);
    expect(preview.body.problems).toEqual([]);
    expect(preview.body.latestVersion).toBe(1);
    expect(preview.body.changes).toEqual([
      { path: 'events.Cart Viewed', change: 'added', after: { type: 'object' } },
      { path: 'policies.violations', change: 'changed', before: 'allow', after: 'block' },
    ]);
    const badPreview = await owner.call<{ problems: Array<{ field: string }> }>('POST', `${plan}/preview`, {
      rules: { events: { 'Cart Viewed': { type: 'object', required: 'sku' } } },
    });
    expect(badPreview.body.problems.map((p) => p.field)).toEqual(['rules.events.Cart Viewed/required']);
    expect((await owner.call<Plan>('GET', plan)).body.version).toBe(1);

    const saved = await owner.call<Plan>('PUT', plan, { rules: draft, expectedVersion: 1 });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, sourceIds: [sourceId], name: 'Shop' });
    const stale = await owner.call<Problem>('PUT', plan, { rules: draft, expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');

    const versions = await owner.call<{ versions: Array<{ version: number; eventCount: number }> }>(
      'GET',
      `${plan}/versions`,
    );
    expect(versions.body.versions.map((v) => [v.version, v.eventCount])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    const diff = await owner.call<{ changes: Change[] }>('GET', `${plan}/diff?from=1&to=2`);
    expect(diff.body.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
      'added events.Cart Viewed',
      'changed policies.violations',
    ]);
    expect((await owner.call<Plan>('GET', `${plan}?version=1`)).body.rules.events).toEqual({
      'Order Completed': orderCompleted,
    });

    const restored = await owner.call<Plan>('POST', `${plan}/restore`, { version: 1 });
    expect(restored.status).toBe(200);
    expect(restored.body.version).toBe(3);
    expect(restored.body.rules).toEqual(created.body.rules);
    expect(restored.body.sourceIds).toEqual([sourceId]);

    const disconnected = await owner.call<Plan>('DELETE', `${plan}/sources/${sourceId}`);
    expect(disconnected.body).toMatchObject({ version: 4, sourceIds: [] });
    const connected = await owner.call<Plan>('POST', `${plan}/sources`, { source: 'web' });
    expect(connected.body).toMatchObject({ version: 5, sourceIds: [sourceId] });
    // Connecting and disconnecting are changes of their versions, by source name.
    const connectDiff = await owner.call<{ changes: Change[] }>('GET', `${plan}/diff?from=4&to=5`);
    expect(connectDiff.body.changes).toEqual([{ path: `sources.${sourceId}`, change: 'added', after: 'Website' }]);
    // A source is held to one plan at most.
    const second = await owner.call<Plan>('POST', base, { name: 'Other plan', rules: { events: {} } });
    const taken = await owner.call<Problem>('POST', `${base}/${second.body.id}/sources`, { source: 'web' });
    expect(taken.status).toBe(400);
    expect(taken.body.error.message).toContain('already connected to tracking plan Shop');

    const listed = await owner.call<{ plans: Plan[] }>('GET', base);
    expect(listed.body.plans.map((p) => [p.name, p.version])).toEqual([
      ['Other plan', 1],
      ['Shop', 5],
    ]);
  });

  it('lets read-only members read but not save, and keeps plans inside their workspace', async () => {
    const { body } = await owner.call<{ plans: Plan[] }>('GET', base);
    const shop = body.plans.find((p) => p.name === 'Shop')!;
    expect((await reader.call('GET', `${base}/${shop.id}/versions`)).status).toBe(200);
    const refused = await reader.call<Problem>('PUT', `${base}/${shop.id}`, { rules: { events: {} } });
    expect(refused.status).toBe(403);
    expect((await reader.call('POST', `${base}/${shop.id}/restore`, { version: 1 })).status).toBe(403);
    const elsewhere = await owner.call<Problem>('GET', `/api/v1/workspaces/other/tracking-plans/${shop.id}`);
    expect(elsewhere.status).toBe(404);
    expect((await owner.call('GET', '/api/v1/workspaces/other/tracking-plans')).body).toEqual({ plans: [] });
  });

  it('deletes a plan for writers only, and only in its own workspace', async () => {
    const { body } = await owner.call<{ plans: Plan[] }>('GET', base);
    const shop = body.plans.find((p) => p.name === 'Shop')!;
    expect((await reader.call('DELETE', `${base}/${shop.id}`)).status).toBe(403);
    expect((await owner.call('DELETE', `/api/v1/workspaces/other/tracking-plans/${shop.id}`)).status).toBe(404);
    const deleted = await owner.call<{ releasedSourceIds: string[] }>('DELETE', `${base}/${shop.id}`);
    expect(deleted).toMatchObject({ status: 200, body: { releasedSourceIds: shop.sourceIds } });
    expect(shop.sourceIds).toHaveLength(1);
    expect((await owner.call('GET', `${base}/${shop.id}`)).status).toBe(404);
    expect((await owner.call('GET', `${base}/${shop.id}?version=1`)).status).toBe(404);
    expect((await owner.call<{ plans: Plan[] }>('GET', base)).body.plans.map((p) => p.name)).toEqual(['Other plan']);
    // The source it held may join another plan now.
    const other = body.plans.find((p) => p.name === 'Other plan')!;
    expect((await owner.call<Plan>('POST', `${base}/${other.id}/sources`, { source: 'web' })).status).toBe(200);
  });
});
