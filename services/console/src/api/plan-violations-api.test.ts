// Tracking-plan violations and generated plans end to end: the real ingestion (reports every
// half second to Kafka), control plane (files them in FerretDB), console (Public API). Events
// breaking a plan give counts per hour with samples over gRPC and REST; allowed violations are
// counted and go through; a plan generated from the observed events passes the same events.
import { connectControlPlane, type ControlPlaneClients } from '@manifold/proto';
import { eventually } from '@manifold/testing';
import { ConsoleClient, joinByInvitation, sendBatch } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import type { z } from 'zod';
import type { GeneratedPlan, PlanViolations } from './plan-violation-models';

const PASSWORD = 'correct horse battery';

describe('tracking-plan violations and generated plans (ingestion, Kafka, control plane, FerretDB, Public API)', () => {
  let stack: ConsoleStack;
  let grpc: ControlPlaneClients;
  let owner: ConsoleClient;
  let reader: ConsoleClient;
  let writeKey = '';
  let sourceId = '';
  let planId = '';

  beforeAll(async () => {
    stack = await startConsoleStack({ dataPlane: {} });
    grpc = connectControlPlane({ address: stack.controlPlane.address, token: stack.controlPlaneToken, actor: 'test' });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@plans.test', PASSWORD, 'plans', 'Plans')).status).toBe(201);
    const source = await owner.call<{ id: string; writeKeys: Array<{ key: string }> }>(
      'POST',
      '/api/v1/workspaces/plans/sources',
      { slug: 'web', name: 'Web' },
    );
    writeKey = source.body.writeKeys[0]!.key;
    sourceId = source.body.id;
    reader = await joinByInvitation(owner, 'plans', 'reader@plans.test', 'read-only', PASSWORD);
    const plan = await grpc.trackingPlans.saveTrackingPlan({
      workspaceId: 'plans',
      id: '',
      name: 'Web plan',
      sourceIds: [sourceId],
      rules: {
        events: {
          'Order Completed': {
            type: 'object',
            properties: { orderId: { type: 'string' }, total: { type: 'number' } },
            required: ['orderId'],
          },
        },
        policies: { unplannedEvents: 'block', unplannedProperties: 'allow', violations: 'allow' },
      },
    });
    planId = plan.id;
    await waitForPlanVersion(1);
  }, 90_000);

  afterAll(async () => {
    grpc?.close();
    await stack?.stop();
  });

  async function waitForPlanVersion(version: number): Promise<void> {
    await eventually(
      async () => stack.dataPlane!.configView.sourceForWriteKey(writeKey)?.trackingPlan?.version,
      (v) => v === version,
      30_000,
    );
  }

  const debuggerEntry = (messageId: string) =>
    stack.dataPlane!.ingestion.app.liveDebugger.recent(sourceId).find((e) => e.messageId === messageId);

  it('counts violations per hour, event and rule with samples, over gRPC and REST; allowed ones go through', async () => {
    const run = Date.now();
    await sendBatch(stack.dataPlane!.url, writeKey, [
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'u1',
        messageId: `bad-1-${run}`,
        properties: { orderId: 'o1', total: 'ten' },
      },
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'u1',
        messageId: `bad-2-${run}`,
        properties: { orderId: 'o2', total: 'x' },
      },
      { type: 'track', event: 'Order Completed', userId: 'u1', messageId: `bad-3-${run}`, properties: { total: 3 } },
      { type: 'track', event: 'Cart Viewed', userId: 'u1', messageId: `unplanned-${run}`, properties: {} },
    ]);
    // "Allow and report": the event went on to the events topic; the unplanned one was blocked.
    expect(debuggerEntry(`bad-1-${run}`)?.status).toBe('accepted');
    expect(debuggerEntry(`unplanned-${run}`)?.status).toBe('blocked');

    const viaGrpc = await eventually(
      () => grpc.trackingPlans.listPlanViolations({ workspace: 'plans', planId, sourceId: '' }),
      (r) => r.total === 4,
      30_000,
    );
    const byRule = new Map(viaGrpc.groups.map((g) => [`${g.eventName} ${g.rule} ${g.path} ${g.outcome}`, g]));
    const typeErrors = byRule.get('Order Completed type /total allowed');
    expect(typeErrors?.count).toBe(2);
    expect(typeErrors?.hours).toHaveLength(1);
    const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    expect(typeErrors?.hours[0]!.hour!.getTime()).toBeLessThanOrEqual(hourStart.getTime());
    expect(typeErrors?.hours[0]!.count).toBe(2);
    expect(typeErrors?.samples.map((s) => s.messageId).sort()).toEqual([`bad-1-${run}`, `bad-2-${run}`]);
    expect(typeErrors?.samples.find((s) => s.messageId === `bad-1-${run}`)).toMatchObject({
      value: '"ten"',
      sourceId,
      planVersion: 1,
    });
    const missing = byRule.get('Order Completed required /orderId allowed');
    expect(missing?.count).toBe(1);
    expect(missing?.samples[0]).toMatchObject({ messageId: `bad-3-${run}`, value: '' });
    expect(byRule.get('Cart Viewed unplanned_event  blocked')?.count).toBe(1);

    // The same over REST, for a source (slug) and for the plan, to every role.
    const bySource = await reader.call<z.input<typeof PlanViolations>>(
      'GET',
      '/api/v1/workspaces/plans/sources/web/plan-violations',
    );
    expect(bySource.status).toBe(200);
    expect(bySource.body.total).toBe(4);
    const restType = bySource.body.groups.find((g) => g.rule === 'type');
    expect(restType).toMatchObject({ eventName: 'Order Completed', path: '/total', count: 2, outcome: 'allowed' });
    expect(restType?.samples[0]?.message).toContain('number');
    const byPlan = await reader.call<z.input<typeof PlanViolations>>(
      'GET',
      `/api/v1/workspaces/plans/tracking-plans/${planId}/violations?from=${encodeURIComponent(new Date(run - 3_600_000).toISOString())}`,
    );
    expect(byPlan.body.total).toBe(4);
    // A window before the events holds none.
    const before = await reader.call<z.input<typeof PlanViolations>>(
      'GET',
      `/api/v1/workspaces/plans/tracking-plans/${planId}/violations?to=${encodeURIComponent(new Date(run - 7_200_000).toISOString())}`,
    );
    expect(before.body).toMatchObject({ total: 0, groups: [] });
    expect((await reader.call('GET', '/api/v1/workspaces/plans/sources/nope/plan-violations')).status).toBe(404);
  }, 90_000);

  it('generates a plan from the observed events that the same events pass', async () => {
    const run = Date.now();
    const events = [
      { type: 'track', event: 'Signed Up', properties: { plan: 'pro', seats: 3, address: { city: 'Oslo' } } },
      { type: 'track', event: 'Signed Up', properties: { plan: 'free', seats: null, referrer: 'ad' } },
      { type: 'identify', traits: { email: 'a@example.com' } },
      { type: 'page', name: 'Home', properties: { path: '/' } },
    ];
    const send = (prefix: string) =>
      sendBatch(
        stack.dataPlane!.url,
        writeKey,
        events.map((e, i) => ({ ...e, userId: 'u2', messageId: `${prefix}-${i}-${run}` })),
      );
    await send('seen');
    const generated = await eventually(
      () =>
        reader.call<z.input<typeof GeneratedPlan>>('GET', '/api/v1/workspaces/plans/sources/web/generated-plan?days=7'),
      (r) => JSON.stringify(r.body.rules ?? {}).includes('referrer'),
      30_000,
    );
    expect(generated.body.rules['events']).toMatchObject({
      'Signed Up': {
        properties: {
          address: { type: 'object', properties: { city: { type: 'string' } } },
          seats: { type: ['null', 'number'] },
        },
      },
    });
    const strict = {
      ...generated.body.rules,
      policies: { unplannedEvents: 'block', unplannedProperties: 'block', violations: 'block' },
    };
    await grpc.trackingPlans.saveTrackingPlan({
      workspaceId: 'plans',
      id: planId,
      name: 'Web plan',
      sourceIds: [sourceId],
      rules: strict,
    });
    await waitForPlanVersion(2);
    await send('again');
    for (let i = 0; i < events.length; i++) {
      const entry = debuggerEntry(`again-${i}-${run}`);
      expect(entry?.status).toBe('accepted');
      expect(entry?.plan).toBeUndefined();
    }
    // Something the plan never saw is blocked by it.
    await sendBatch(stack.dataPlane!.url, writeKey, [
      { type: 'track', event: 'Signed Up', userId: 'u2', messageId: `new-${run}`, properties: { coupon: 'X' } },
    ]);
    expect(debuggerEntry(`new-${run}`)?.status).toBe('blocked');
  }, 90_000);
});
