import { z } from 'zod';
import type { SpecEvent } from '@manifold/events';
import {
  defineAction,
  defineDestination,
  jsonRequest,
  lenient,
  prepareEvent,
  prepareMappedEvents,
  presetMappings,
  validateInstanceMappings,
  type InstanceMapping,
  type MappingProblem,
} from '../index';

const settings = z.object({ apiKey: z.string().min(1) });

const trackEvent = defineAction(settings, {
  title: 'Track event',
  description: 'One event',
  fields: z.object({
    event: z.string().min(1),
    userId: z.string(),
    plan: z.enum(['free', 'pro']).optional(),
    count: lenient.number(),
    properties: z.record(z.string(), z.unknown()).optional(),
  }),
  defaultMapping: {
    event: { '@path': '$.event' },
    userId: { '@path': '$.userId' },
    properties: { '@path': '$.properties' },
  },
  perform: (payload) => [jsonRequest('POST', 'https://api.example.com/track', payload)],
});

const identify = defineAction(settings, {
  title: 'Identify',
  description: 'A profile',
  fields: z.object({ userId: z.string(), traits: z.record(z.string(), z.unknown()).default({}) }),
  defaultMapping: { userId: { '@path': '$.userId' }, traits: { '@path': '$.traits' } },
  perform: (payload) => [jsonRequest('POST', 'https://api.example.com/identify', payload)],
});

const example = defineDestination({
  id: 'example',
  name: 'Example',
  description: 'For tests',
  categories: ['Analytics'],
  settings,
  actions: { trackEvent, identify },
  routes: {
    track: [
      { if: 'event = "Order Completed"', action: 'trackEvent', mapping: { event: { '@literal': 'purchase' } } },
      { action: 'trackEvent' },
    ],
    page: [{ action: 'trackEvent', mapping: { event: { '@template': 'Viewed {{name}}' } } }],
    identify: [{ action: 'identify' }],
    alias: { unsupported: 'Example has no alias API' },
  },
});

const parsedSettings = { apiKey: 'k' };

function event(fields: Partial<SpecEvent> & Record<string, unknown>): SpecEvent {
  return { messageId: 'm-1', timestamp: '2026-01-01T00:00:00.000Z', ...fields } as SpecEvent;
}

const valid: InstanceMapping = {
  id: 'signup',
  name: 'Signed up',
  enabled: true,
  trigger: 'type = "track" and event = "Signed Up"',
  action: 'trackEvent',
  fields: {
    event: 'signup',
    userId: { '@path': '$.userId' },
    properties: { plan: { '@case': { operator: 'lower', value: { '@path': '$.traits.plan' } } } },
  },
};

describe('validateInstanceMappings', () => {
  it('takes valid mappings, and the presets of a destination', () => {
    expect(validateInstanceMappings(example, [valid])).toEqual({ ok: true, mappings: [valid] });
    expect(validateInstanceMappings(example, presetMappings(example)).ok).toBe(true);
    expect(validateInstanceMappings(example, [])).toEqual({ ok: true, mappings: [] });
  });

  const cases: [string, unknown, MappingProblem[]][] = [
    ['not a list', { a: 1 }, [{ path: 'mappings', message: expect.stringContaining('array') as string }]],
    [
      'missing name, empty trigger',
      [{ ...valid, name: ' ', trigger: '' }],
      [
        { path: 'mappings[0].name', message: 'is required' },
        { path: 'mappings[0].trigger', message: 'is required: an FQL condition, e.g. type = "track"' },
      ],
    ],
    [
      'duplicate id',
      [valid, { ...valid, name: 'again' }],
      [{ path: 'mappings[1].id', message: 'is used by an earlier mapping (signup)' }],
    ],
    [
      'invalid FQL',
      [{ ...valid, trigger: 'event = = "x"' }],
      [{ path: 'mappings[0].trigger', message: expect.stringMatching(/^is not valid FQL: /) as string }],
    ],
    [
      'unknown action',
      [{ ...valid, action: 'sendMail' }],
      [{ path: 'mappings[0].action', message: 'is not an action of Example (its actions: trackEvent, identify)' }],
    ],
    [
      'unknown field',
      [{ ...valid, fields: { ...valid.fields, revenue: 1 } }],
      [
        {
          path: 'mappings[0].fields.revenue',
          message: 'is not a field of Track event (its fields: event, userId, plan, count, properties)',
        },
      ],
    ],
    [
      'required field without a mapping',
      [{ ...valid, fields: { event: 'x' } }],
      [{ path: 'mappings[0].fields.userId', message: 'is required by Track event and has no default: map it' }],
    ],
    [
      'wrong literal types',
      [{ ...valid, fields: { ...valid.fields, event: 3, plan: { '@literal': 'gold' }, count: 'many' } }],
      [
        { path: 'mappings[0].fields.event', message: expect.stringContaining('string') as string },
        { path: 'mappings[0].fields.plan', message: expect.stringContaining('pro') as string },
        { path: 'mappings[0].fields.count', message: 'the value cannot be sent: not a number' },
      ],
    ],
    [
      'malformed directives, each at its path',
      [
        {
          ...valid,
          fields: {
            event: { '@case': { operator: 'title', value: { '@path': '$.event' } } },
            userId: { '@replace': { value: { '@path': '$.userId' }, pattern: 3 } },
            properties: { a: { '@coalesce': ['$.x'] }, b: { '@path': '$.a', extra: 1 } },
          },
        },
      ],
      [
        { path: 'mappings[0].fields.event.@case.operator', message: 'must be "lower" or "upper"' },
        { path: 'mappings[0].fields.userId.@replace.pattern', message: 'is required: the text to replace' },
        { path: 'mappings[0].fields.properties.a', message: 'unknown directive @coalesce' },
        {
          path: 'mappings[0].fields.properties.b',
          message: 'a directive must be alone in its object (keys @path, extra)',
        },
      ],
    ],
  ];

  it.each(cases)('%s', (_name, input, problems) => {
    expect(validateInstanceMappings(example, input)).toEqual({ ok: false, problems });
  });

  it('accepts a lenient literal that converts ("24" for a number)', () => {
    expect(validateInstanceMappings(example, [{ ...valid, fields: { ...valid.fields, count: '24' } }]).ok).toBe(true);
  });
});

describe('presetMappings', () => {
  it('turns each route rule into a mapping whose trigger keeps the first-match order', () => {
    const presets = presetMappings(example);
    expect(presets.map((p) => [p.id, p.trigger, p.action])).toEqual([
      ['preset-identify-1', 'type = "identify"', 'identify'],
      ['preset-track-1', 'type = "track" and (event = "Order Completed")', 'trackEvent'],
      ['preset-track-2', 'type = "track" and !(event = "Order Completed")', 'trackEvent'],
      ['preset-page-1', 'type = "page"', 'trackEvent'],
    ]);
    expect(presets[1]?.fields['event']).toEqual({ '@literal': 'purchase' });
    expect(presets[3]?.fields).toEqual({ ...trackEvent.defaultMapping, event: { '@template': 'Viewed {{name}}' } });
  });

  it('prepares every event as the routes do', () => {
    const events = [
      event({ type: 'track', event: 'Order Completed', userId: 'u', properties: { total: 3 } }),
      event({ type: 'track', event: 'Clicked', userId: 'u' }),
      event({ type: 'page', name: 'Home', userId: 'u' }),
      event({ type: 'identify', userId: 'u', traits: { plan: 'Pro' } }),
      event({ type: 'track', userId: 'u', event: '' }),
    ];
    for (const e of events) {
      const byRoutes = prepareEvent(example, e, parsedSettings);
      const byPresets = prepareMappedEvents(example, e, parsedSettings, presetMappings(example));
      const mappingId = byPresets.kind === 'mapped' ? byPresets.mapped[0]?.mappingId : undefined;
      // The same payload, and (prepared) the name of the preset that made it, for the trace.
      const name = presetMappings(example).find((m) => m.id === mappingId)?.name;
      expect(byPresets).toEqual({
        kind: 'mapped',
        mapped: [
          {
            mappingId: expect.any(String) as string,
            result: byRoutes.kind === 'prepared' ? { ...byRoutes, mapping: { id: mappingId, name } } : byRoutes,
          },
        ],
      });
    }
  });
});

describe('prepareMappedEvents', () => {
  const renamed: InstanceMapping = {
    id: 'renamed',
    name: 'Renamed signup',
    enabled: true,
    trigger: 'event = "Signed Up"',
    action: 'trackEvent',
    fields: {
      event: { '@replace': { value: { '@path': '$.event' }, pattern: 'Signed Up', replacement: 'signup' } },
      userId: { '@path': '$.userId' },
      properties: { plan: { '@case': { operator: 'upper', value: { '@path': '$.context.traits.plan' } } } },
    },
  };
  const everyTrack: InstanceMapping = { ...presetMappings(example)[2]!, id: 'all', trigger: 'type = "track"' };
  const signup = event({ type: 'track', event: 'Signed Up', userId: 'u', context: { traits: { plan: 'pro' } } });

  it('runs every enabled mapping whose trigger matches, in order', () => {
    const result = prepareMappedEvents(example, signup, parsedSettings, [renamed, everyTrack]);
    expect(result).toMatchObject({
      kind: 'mapped',
      mapped: [
        {
          mappingId: 'renamed',
          result: { kind: 'prepared', payload: { event: 'signup', userId: 'u', properties: { plan: 'PRO' } } },
        },
        { mappingId: 'all', result: { kind: 'prepared', payload: { event: 'Signed Up', userId: 'u' } } },
      ],
    });
    const disabled = prepareMappedEvents(example, signup, parsedSettings, [{ ...renamed, enabled: false }, everyTrack]);
    expect(disabled).toMatchObject({ kind: 'mapped', mapped: [{ mappingId: 'all' }] });
  });

  it('drops an event no mapping matches as "no mapping matched"', () => {
    const other = event({ type: 'track', event: 'Clicked', userId: 'u' });
    expect(prepareMappedEvents(example, other, parsedSettings, [renamed])).toEqual({
      kind: 'drop',
      reason: 'NO_MATCHING_MAPPING',
      message: 'no mapping matched this track event',
    });
    expect(prepareMappedEvents(example, event({ type: 'alias', userId: 'u' }), parsedSettings, [renamed])).toEqual({
      kind: 'drop',
      reason: 'UNSUPPORTED_EVENT_TYPE',
      message: 'Example has no alias API',
    });
  });

  it("runs a row change through the connections' mappings only, and other events never through them", () => {
    const connection: InstanceMapping = { ...everyTrack, id: 'retl-c1', trigger: 'type = "track"' };
    const row = event({ type: 'track', event: 'new', userId: 'u' });
    // The presets (and any other mapping) match the row change too, but run for the event stream only.
    expect(prepareMappedEvents(example, row, parsedSettings, [everyTrack, connection], true)).toMatchObject({
      kind: 'mapped',
      mapped: [{ mappingId: 'retl-c1' }],
    });
    expect(prepareMappedEvents(example, row, parsedSettings, presetMappings(example), true)).toMatchObject({
      kind: 'drop',
      reason: 'NO_MATCHING_MAPPING',
    });
    expect(prepareMappedEvents(example, signup, parsedSettings, [connection, everyTrack])).toMatchObject({
      kind: 'mapped',
      mapped: [{ mappingId: 'all' }],
    });
  });

  it('keeps a payload failure to its own mapping', () => {
    const noUser = event({ type: 'track', event: 'Signed Up' });
    const result = prepareMappedEvents(example, noUser, parsedSettings, [renamed]);
    expect(result).toMatchObject({
      kind: 'mapped',
      mapped: [{ mappingId: 'renamed', result: { kind: 'drop', reason: 'INVALID_PAYLOAD' } }],
    });
  });
});
