// Tracking plans over gRPC, on a real FerretDB: every bad schema named with its path, each save a
// new version with a diff, one plan per source, and the latest version on each connected source
// of the configuration ingestion receives.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { parse } from 'yaml';
import { eventually } from '@manifold/testing';
import { ObservedEvents } from '../domain/observed-events';
import { PlanViolationCounts } from '../domain/plan-violation-counts';
import { cliRunner, grpcError, startTestControlPlane, type Harness } from '../test-support/harness';

const orderCompleted = {
  type: 'object',
  properties: { orderId: { type: 'string' }, total: { type: 'number' } },
  required: ['orderId'],
};

describe('tracking plans over gRPC (real FerretDB)', () => {
  let h: Harness;
  let webId: string;
  let appId: string;

  beforeAll(async () => {
    h = await startTestControlPlane();
    await h.client.workspaces.createWorkspace({
      slug: 'plans',
      name: 'Plans',
      ownerEmail: 'o@plans.test',
      members: [],
    });
    webId = (
      await h.client.sources.createSource({
        workspace: 'plans',
        slug: 'web',
        name: 'Web',
        environment: 'prod',
        type: 'javascript',
        category: 'website',
      })
    ).id;
    appId = (
      await h.client.sources.createSource({
        workspace: 'plans',
        slug: 'app',
        name: 'App',
        environment: 'prod',
        type: 'http',
        category: 'server',
      })
    ).id;
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('refuses bad schemas and policies, naming each with its path', async () => {
    const error = await grpcError(
      h.client.trackingPlans.saveTrackingPlan({
        workspaceId: 'plans',
        id: '',
        name: 'Broken',
        sourceIds: ['src_nope'],
        rules: {
          events: { Good: orderCompleted, Bad: { type: 'object', properties: { total: { type: 'money' } } } },
          policies: { violations: 'explode' },
        },
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.violations.map((v) => v.field)).toEqual(
      expect.arrayContaining(['rules.events.Bad/properties/total/type', 'rules.policies.violations', 'source_ids']),
    );
    expect(error.violations.some((v) => v.field.startsWith('rules.events.Good'))).toBe(false);
  });

  it('versions each save, diffs versions, and streams the latest to connected sources', async () => {
    const v1 = await h.client.trackingPlans.saveTrackingPlan({
      workspaceId: 'plans',
      id: '',
      name: 'Web plan',
      sourceIds: [webId],
      rules: { events: { 'Order Completed': orderCompleted }, policies: { unplannedEvents: 'block' } },
    });
    expect(v1).toMatchObject({ name: 'Web plan', version: 1, sourceIds: [webId] });
    expect(v1.rules?.['policies']).toEqual({
      unplannedEvents: 'block',
      unplannedProperties: 'allow',
      violations: 'allow',
    });

    const v2 = await h.client.trackingPlans.saveTrackingPlan({
      workspaceId: 'plans',
      id: v1.id,
      name: 'Web plan',
      sourceIds: [webId],
      rules: {
        events: { 'Order Completed': orderCompleted, 'Cart Viewed': { type: 'object' } },
        policies: { unplannedEvents: 'block', violations: 'drop_property' },
      },
    });
    expect(v2).toMatchObject({ id: v1.id, version: 2 });
    expect((await h.client.trackingPlans.getTrackingPlan({ id: v1.id, version: 1 })).rules).toEqual(v1.rules);
    expect((await h.client.trackingPlans.getTrackingPlan({ id: v1.id, version: 0 })).version).toBe(2);

    const { changes } = await h.client.trackingPlans.diffTrackingPlan({ id: v1.id, fromVersion: 1, toVersion: 2 });
    expect(changes.map((c) => `${c.change} ${c.path}`)).toEqual([
      'added events.Cart Viewed',
      'changed policies.violations',
    ]);
    expect(changes[1]).toMatchObject({ before: 'allow', after: 'drop_property' });

    expect(
      (await h.client.trackingPlans.listTrackingPlans({ workspaceId: 'plans' })).plans.map((p) => p.version),
    ).toEqual([2]);

    const sources = await eventually(
      () => Promise.resolve(h.controlPlane.domain.broadcaster.current().sources),
      (all) => all.find((s) => s.id === webId)?.trackingPlan?.version === 2,
    );
    expect(sources.find((s) => s.id === webId)?.trackingPlan).toMatchObject({
      id: v1.id,
      version: 2,
      rules: { events: { 'Cart Viewed': { type: 'object' } } },
    });
    expect(sources.find((s) => s.id === appId)?.trackingPlan).toBeUndefined();
  });

  it('holds a source to one plan', async () => {
    const error = await grpcError(
      h.client.trackingPlans.saveTrackingPlan({
        workspaceId: 'plans',
        id: '',
        name: 'Second',
        sourceIds: [webId, appId],
        rules: { events: {} },
      }),
    );
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toContain('already connected to tracking plan Web plan');
  });

  it('refuses a second plan of the same name in a workspace, saving no version of it', async () => {
    const save = (id: string) =>
      h.client.trackingPlans.saveTrackingPlan({
        workspaceId: 'plans',
        id,
        name: ' Web plan ',
        sourceIds: [],
        rules: { events: {} },
      });
    const error = await grpcError(save(''));
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(error.details).toBe('a tracking plan named "Web plan" already exists in this workspace');
    const plans = await h.controlPlane.domain.store.db
      .collection('tracking_plans')
      .find({ name: 'Web plan' })
      .toArray();
    expect(plans).toHaveLength(1);
    const versions = await h.controlPlane.domain.store.db
      .collection('tracking_plan_versions')
      .find({ planId: { $ne: plans[0]?._id }, name: 'Web plan' })
      .toArray();
    expect(versions).toEqual([]);
  });

  it('saves, lists, shows and diffs plans from the CLI (YAML rules)', async () => {
    const cli = cliRunner(h);
    const dir = await mkdtemp(join(tmpdir(), 'manifold-plans-'));
    const rules = join(dir, 'rules.yaml');
    await writeFile(rules, 'events:\n  Signed Up:\n    type: object\n    properties:\n      plan: { type: string }\n');
    const saved = await cli('--json', 'plans', 'save', 'plans', 'App plan', '--rules', rules, '--sources', appId);
    expect(saved.code).toBe(0);
    const { id } = JSON.parse(saved.out) as { id: string };
    await writeFile(rules, 'events:\n  Signed Up:\n    type: object\npolicies:\n  unplannedEvents: block\n');
    expect((await cli('plans', 'save', 'plans', 'App plan', '--id', id, '--rules', rules)).code).toBe(0);
    // A new version saved without --sources keeps the plan's sources.
    expect(await h.client.trackingPlans.getTrackingPlan({ id, version: 2 })).toMatchObject({ sourceIds: [appId] });
    expect((await cli('plans', 'list', 'plans')).out).toContain('App plan');
    expect((await cli('plans', 'show', id, '--version', '1')).out).toMatch(/version:\s+1/);
    const diff = await cli('--json', 'plans', 'diff', id, '1', '2');
    expect((JSON.parse(diff.out) as Array<{ path: string }>).map((c) => c.path)).toEqual([
      'events.Signed Up',
      'policies.unplannedEvents',
    ]);
    // What the plan-report consumer files from ingestion's reports (its Kafka side: test-e2e/tracking-plans).
    const observed = new ObservedEvents(h.controlPlane.domain.store.db);
    const workspaceId = (await h.controlPlane.domain.store.workspaces.findOne({ slug: 'plans' }))!._id;
    const report = (at: Date, paths: Record<string, string[]>, cut = { events: 0, paths: 0 }) => ({
      workspaceId,
      sourceId: appId,
      at: at.toISOString(),
      violations: [],
      observed: [{ type: 'track', event: 'Signed Up', paths }],
      cut,
    });
    await observed.record(
      report(new Date(), { '/plan': ['string'], '/seats': ['number', 'null'] }, { events: 2, paths: 0 }),
    );
    // Seen only 9 days ago: not in a 7-day plan.
    await observed.record(report(new Date(Date.now() - 9 * 86_400_000), { '/legacy': ['boolean'] }));
    const generated = await cli('plans', 'generate', 'plans', 'app');
    expect(generated.code).toBe(0);
    expect(parse(generated.out)).toEqual({
      events: {
        'Signed Up': {
          type: 'object',
          properties: { plan: { type: 'string' }, seats: { type: ['null', 'number'] } },
        },
      },
      policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow' },
    });
    expect(generated.err).toContain('incomplete: 2 events');
    const longer = await h.client.trackingPlans.generateTrackingPlan({ workspace: 'plans', source: appId, days: 10 });
    expect(
      Object.keys((longer.rules?.['events'] as Record<string, { properties: object }>)['Signed Up']!.properties),
    ).toEqual(['legacy', 'plan', 'seats']);
    expect((await cli('plans', 'generate', 'plans', 'web')).err).toContain('no events of web observed');

    const counts = new PlanViolationCounts(h.controlPlane.domain.store.db);
    const violation = {
      planId: id,
      planVersion: 2,
      eventType: 'track',
      eventName: 'Signed Up',
      rule: 'type',
      path: '/seats',
      outcome: 'allowed' as const,
      count: 3,
      samples: [
        {
          messageId: 'm-1',
          path: '/seats',
          message: '/seats must be number',
          value: '"two"',
          at: new Date().toISOString(),
        },
      ],
    };
    const violated = { ...report(new Date(), {}), violations: [violation], observed: [] };
    await counts.record(violated, { partition: 0, offset: '7' });
    // Read again (a redelivered Kafka message): not counted twice.
    await counts.record(violated, { partition: 0, offset: '7' });
    const listed = await cli('--json', 'plans', 'violations', 'plans', '--source', 'app', '--since', '2h');
    expect(JSON.parse(listed.out)).toEqual([
      {
        event: 'Signed Up',
        rule: 'type',
        path: '/seats',
        outcome: 'allowed',
        count: 3,
        sample: 'm-1: /seats must be number',
      },
    ]);
    expect((await cli('plans', 'violations', 'plans')).code).not.toBe(0);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'events:\n  Broken:\n    type: nothing\n');
    const refused = await cli('plans', 'save', 'plans', 'Broken', '--rules', bad);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('rules.events.Broken/type');
  });

  it('deletes a plan with its versions (CLI, by name), leaving its source held to no plan', async () => {
    const cli = cliRunner(h);
    const saved = (await h.client.trackingPlans.listTrackingPlans({ workspaceId: 'plans' })).plans.find(
      (p) => p.name === 'App plan',
    )!;
    // Version 3 connects the app source once more: a save names its sources.
    const plan = await h.client.trackingPlans.saveTrackingPlan({
      ...saved,
      sourceIds: [appId],
      rules: saved.rules ?? {},
    });
    expect(plan).toMatchObject({ version: 3, sourceIds: [appId] });
    await eventually(
      () => Promise.resolve(h.controlPlane.domain.broadcaster.current().sources),
      (all) => all.find((s) => s.id === appId)?.trackingPlan?.version === 3,
    );
    // Another workspace's plan is not found from this one.
    await h.client.workspaces.createWorkspace({
      slug: 'elsewhere',
      name: 'Elsewhere',
      ownerEmail: 'o@else.test',
      members: [],
    });
    const foreign = await grpcError(
      h.client.trackingPlans.deleteTrackingPlan({ workspaceId: 'elsewhere', id: plan.id }),
    );
    expect(foreign.code).toBe(status.NOT_FOUND);

    const deleted = await cli('plans', 'delete', 'plans', 'App plan');
    expect(deleted).toMatchObject({ code: 0, err: '' });
    expect(deleted.out).toContain(`deleted tracking plan App plan; sources no longer held: ${appId}`);
    const sources = await eventually(
      () => Promise.resolve(h.controlPlane.domain.broadcaster.current().sources),
      (all) => all.find((s) => s.id === appId)?.trackingPlan === undefined,
    );
    // The other plan's source keeps its plan.
    expect(sources.find((s) => s.id === webId)?.trackingPlan?.version).toBe(2);
    for (const version of [0, 1, 2, 3]) {
      const gone = await grpcError(h.client.trackingPlans.getTrackingPlan({ id: plan.id, version }));
      expect(gone.code).toBe(status.NOT_FOUND);
    }
    expect((await h.client.trackingPlans.listTrackingPlans({ workspaceId: 'plans' })).plans.map((p) => p.name)).toEqual(
      ['Web plan'],
    );
    const again = await cli('plans', 'delete', 'plans', 'App plan');
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('no tracking plan App plan in plans');
  });

  it('takes a deleted source off its plan (a new version), and keeps a workspace with plans from being deleted', async () => {
    const web = (await h.client.trackingPlans.listTrackingPlans({ workspaceId: 'plans' })).plans[0]!;
    expect(web).toMatchObject({ name: 'Web plan', version: 2, sourceIds: [webId] });
    await h.client.sources.deleteSource({ workspace: 'plans', source: 'web' });
    expect(await h.client.trackingPlans.getTrackingPlan({ id: web.id, version: 0 })).toMatchObject({
      version: 3,
      sourceIds: [],
      rules: web.rules,
    });
    // The version's diff says what it changed: the source (named by its id, now that it is gone).
    const { changes } = await h.client.trackingPlans.diffTrackingPlan({ id: web.id, fromVersion: 2, toVersion: 3 });
    expect(changes).toEqual([{ path: `sources.${webId}`, change: 'removed', before: webId }]);

    const plan = await h.client.trackingPlans.saveTrackingPlan({
      workspaceId: 'elsewhere',
      id: '',
      name: 'Lonely',
      sourceIds: [],
      rules: { events: {} },
    });
    const refused = await grpcError(h.client.workspaces.deleteWorkspace({ workspace: 'elsewhere' }));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toContain('still has 1 tracking plan(s)');
    await h.client.trackingPlans.deleteTrackingPlan({ workspaceId: 'elsewhere', id: plan.id });
    await h.client.workspaces.deleteWorkspace({ workspace: 'elsewhere' });
  });
});
