import {
  checkPlanRules,
  compilePlan,
  diffPlans,
  generatePlanRules,
  schemaChanges,
  observeEvent,
  type TrackingPlan,
  type PlanPolicies,
} from './index';

const orderCompleted = {
  type: 'object',
  properties: { orderId: { type: 'string' }, total: { type: 'number' }, coupon: { type: 'string' } },
  required: ['orderId', 'total'],
};

function plan(policies: Partial<PlanPolicies> = {}): TrackingPlan {
  return {
    id: 'tp_1',
    workspaceId: 'ws_1',
    name: 'Web',
    version: 3,
    sourceIds: ['src_1'],
    events: { 'Order Completed': orderCompleted },
    identifyTraits: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
    policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow', ...policies },
  };
}

describe('compilePlan', () => {
  it('passes a planned event that follows its schema', () => {
    const verdict = compilePlan(plan()).check({
      type: 'track',
      event: 'Order Completed',
      properties: { orderId: 'o1', total: 10 },
    });
    expect(verdict).toEqual({ violations: [], blocked: false, dropped: [] });
  });

  it('reports an unplanned event, and blocks it when the policy says so', () => {
    const event = { type: 'track', event: 'Cart Viewed', properties: {} };
    expect(compilePlan(plan()).check(event)).toEqual({
      violations: [{ rule: 'unplanned_event', path: '', message: 'event "Cart Viewed" is not in the plan' }],
      blocked: false,
      dropped: [],
    });
    expect(compilePlan(plan({ unplannedEvents: 'block' })).check(event).blocked).toBe(true);
  });

  it('names the property and the rule of each violation', () => {
    const verdict = compilePlan(plan()).check({
      type: 'track',
      event: 'Order Completed',
      properties: { total: 'ten' },
    });
    expect(verdict.violations).toEqual([
      { rule: 'required', path: '/orderId', message: '/orderId is required' },
      { rule: 'type', path: '/total', message: '/total must be a number' },
    ]);
    expect(verdict.blocked).toBe(false);
  });

  it('drops only the offending property under drop_property, and nothing else', () => {
    const properties = { orderId: 'o1', total: 'ten', coupon: 'X', extra: 1 };
    const verdict = compilePlan(plan({ violations: 'drop_property' })).check({
      type: 'track',
      event: 'Order Completed',
      properties,
    });
    expect(verdict.dropped).toEqual(['/total']);
    expect(properties).toEqual({ orderId: 'o1', coupon: 'X', extra: 1 });
    expect(verdict.violations.map((v) => v.rule)).toEqual(['unplanned_property', 'type']);
  });

  it('drops unplanned properties when that policy says so', () => {
    const properties = { orderId: 'o1', total: 1, extra: 1 };
    const verdict = compilePlan(plan({ unplannedProperties: 'drop_property' })).check({
      type: 'track',
      event: 'Order Completed',
      properties,
    });
    expect(verdict.dropped).toEqual(['/extra']);
    expect(properties).toEqual({ orderId: 'o1', total: 1 });
  });

  it('blocks a missing required property under block (nothing to drop)', () => {
    const verdict = compilePlan(plan({ violations: 'block' })).check({
      type: 'track',
      event: 'Order Completed',
      properties: { total: 1 },
    });
    expect(verdict.blocked).toBe(true);
  });

  it('checks identify traits, and leaves calls without a schema alone', () => {
    const compiled = compilePlan(plan());
    expect(compiled.check({ type: 'identify', traits: { email: 'nope' } }).violations[0]?.rule).toBe('format');
    expect(compiled.check({ type: 'page', properties: { anything: 1 } }).violations).toEqual([]);
    expect(compiled.check({ type: 'alias' }).violations).toEqual([]);
  });
});

describe('checkPlanRules', () => {
  it('lists every bad schema and policy with its path', () => {
    const problems = checkPlanRules({
      events: { Good: orderCompleted, Bad: { type: 'object', properties: { total: { type: 'money' } } } },
      policies: { unplannedEvents: 'allow', unplannedProperties: 'explode' as 'allow', violations: 'block' },
    });
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['events.Bad/properties/total/type', 'policies.unplannedProperties']),
    );
    expect(problems.every((p) => !p.path.startsWith('events.Good'))).toBe(true);
  });

  it('accepts a valid plan', () => {
    expect(checkPlanRules(plan())).toEqual([]);
  });
});

describe('diffPlans', () => {
  it('lists added, removed and changed events and policies', () => {
    const before = plan();
    const after = {
      ...plan({ violations: 'block' }),
      events: { 'Order Completed': { ...orderCompleted, required: ['orderId'] }, 'Cart Viewed': { type: 'object' } },
      identifyTraits: undefined,
    };
    expect(diffPlans(before, after).map(({ path, change }) => `${change} ${path}`)).toEqual([
      'added events.Cart Viewed',
      'changed events.Order Completed',
      'removed identifyTraits',
      'changed policies.violations',
    ]);
  });
});

describe('schemaChanges', () => {
  it('names the smallest parts of a schema that changed, arrays whole', () => {
    const after = {
      ...orderCompleted,
      properties: { ...orderCompleted.properties, total: { type: 'string' }, 'a/b': { type: 'boolean' } },
      required: ['orderId'],
    };
    delete (after.properties as Record<string, unknown>)['coupon'];
    expect(schemaChanges(orderCompleted, after)).toEqual([
      { pointer: '/properties/a~1b', change: 'added', after: { type: 'boolean' } },
      { pointer: '/properties/coupon', change: 'removed', before: { type: 'string' } },
      { pointer: '/properties/total/type', change: 'changed', before: 'number', after: 'string' },
      { pointer: '/required', change: 'changed', before: ['orderId', 'total'], after: ['orderId'] },
    ]);
    expect(schemaChanges(orderCompleted, structuredClone(orderCompleted))).toEqual([]);
  });
});

describe('generatePlanRules', () => {
  it('gives a plan that the events it was observed from pass', () => {
    const events = [
      { type: 'track', event: 'Signed Up', properties: { plan: 'pro', seats: 3, address: { city: 'Oslo' } } },
      { type: 'track', event: 'Signed Up', properties: { plan: 'free', seats: null, 'a/b~c': 'ad', address: 'x' } },
      { type: 'track', event: 'Logged Out', properties: {} },
      { type: 'identify', traits: { email: 'a@b.c', age: 40 } },
      { type: 'page', properties: { path: '/' } },
      { type: 'screen', properties: { name: 'Home' } },
    ];
    const observed = events.map((event) => {
      const paths: Record<string, string[]> = {};
      observeEvent(event, 100, (path, type) => (paths[path] ??= []).push(type));
      return { type: event.type, event: event.type === 'track' ? (event.event ?? '') : '', paths };
    });
    const rules = generatePlanRules(observed);
    expect(rules.events['Signed Up']).toEqual({
      type: 'object',
      properties: {
        'a/b~c': { type: 'string' },
        address: { type: ['object', 'string'], properties: { city: { type: 'string' } } },
        plan: { type: 'string' },
        seats: { type: ['null', 'number'] },
      },
    });
    expect(rules.events['Logged Out']).toEqual({ type: 'object', properties: {} });
    expect(Object.keys(rules)).not.toContain('groupTraits');
    const strict = compilePlan({
      ...rules,
      id: 'tp',
      workspaceId: 'ws',
      name: 'generated',
      version: 1,
      sourceIds: [],
      policies: { unplannedEvents: 'block', unplannedProperties: 'block', violations: 'block' },
    });
    for (const event of events)
      expect(strict.check(structuredClone(event))).toEqual({ violations: [], blocked: false, dropped: [] });
    expect(strict.check({ type: 'track', event: 'Signed Up', properties: { plan: 1, seats: 1 } }).blocked).toBe(true);
    expect(strict.check({ type: 'identify', traits: { name: 'new' } }).blocked).toBe(true);
  });

  it('observes at most so many paths of an event, and counts the others', () => {
    const seen: string[] = [];
    const cut = observeEvent({ type: 'track', event: 'E', properties: { a: { b: 1, c: 2 }, d: 3 } }, 2, (path) =>
      seen.push(path),
    );
    expect(seen).toEqual(['/a', '/a/b']);
    expect(cut).toBe(2);
    expect(observeEvent({ type: 'alias' }, 10, () => undefined)).toBe(0);
  });
});
