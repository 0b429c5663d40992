import { z } from 'zod';
import type { SpecEvent } from '@manifold/events';
import {
  buildRequests,
  catalogEntry,
  defineAction,
  defineDestination,
  DropEventError,
  jsonRequest,
  joinUrl,
  parseSettings,
  prepareEvent,
  routeEvent,
  secret,
  translateEvent,
} from './index';
import { validateDefinition } from './testing';

const settings = z.object({
  apiKey: secret(z.string().min(1), 'API key'),
  baseUrl: z.url().default('https://api.example.com'),
});

const track = defineAction(settings, {
  title: 'Track',
  description: 'One event',
  fields: z.object({ name: z.string().min(1), user: z.string(), value: z.number().optional() }),
  defaultMapping: {
    name: { '@path': '$.event' },
    user: { '@path': '$.userId' },
    value: { '@path': '$.properties.value' },
  },
  perform: (payload, s) => {
    if (payload.name === 'Forbidden') throw new DropEventError('INVALID_PAYLOAD', 'forbidden name');
    if (payload.name === 'Crash') throw new TypeError('bug');
    return [jsonRequest('POST', joinUrl(s.baseUrl, '/e', { key: s.apiKey }), payload)];
  },
  batch: {
    maxEvents: 2,
    perform: (payloads, s) => [
      { ...jsonRequest('POST', joinUrl(s.baseUrl, '/batch'), payloads), itemEvents: payloads.map((_p, i) => i) },
    ],
  },
});

const example = defineDestination({
  id: 'example',
  name: 'Example',
  description: 'Test destination',
  categories: ['Analytics'],
  settings,
  actions: { track },
  routes: {
    track: [
      { if: 'event = "Special"', action: 'track', mapping: { name: { '@literal': 'special!' } } },
      { if: 'event != "Ignored"', action: 'track' },
    ],
    page: [{ action: 'track', mapping: { name: { '@template': 'Viewed {{name}}' } } }],
    alias: { unsupported: 'Example cannot merge users' },
  },
});

const event = (partial: Partial<SpecEvent>): SpecEvent => ({
  type: 'track',
  messageId: 'm-1',
  userId: 'u-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  context: {},
  integrations: {},
  ...partial,
});

const parsed = parseSettings(example, { apiKey: 'k' });
if (!parsed.ok) throw new Error('settings');
const s = parsed.settings;

describe('translation', () => {
  it('is a valid definition', () => {
    expect(validateDefinition(example)).toEqual([]);
  });

  it('applies defaults to settings and dead-letters invalid ones with every problem', () => {
    expect(s.baseUrl).toBe('https://api.example.com');
    const bad = parseSettings(example, { apiKey: '', baseUrl: 'nope' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.outcome.reason).toBe('INVALID_SETTINGS');
      expect(bad.outcome.message).toContain('apiKey');
      expect(bad.outcome.message).toContain('baseUrl');
    }
  });

  it.each([
    [
      'routes and maps a track',
      event({ event: 'Bought', properties: { value: 3 } }),
      { name: 'Bought', user: 'u-1', value: 3 },
    ],
    ['first matching rule wins, with its mapping', event({ event: 'Special' }), { name: 'special!', user: 'u-1' }],
    ['page uses its route mapping', event({ type: 'page', name: 'Home' }), { name: 'Viewed Home', user: 'u-1' }],
  ])('%s', (_name, input, body) => {
    const translation = translateEvent(example, input, s);
    expect(translation).toEqual({
      kind: 'requests',
      action: 'track',
      payload: body,
      notices: [],
      requests: [
        {
          method: 'POST',
          url: 'https://api.example.com/e?key=k',
          headers: { 'content-type': 'application/json', 'user-agent': 'Manifold (Destinations)' },
          body: JSON.stringify(body),
        },
      ],
    });
  });

  it.each([
    [
      'unsupported call type, with its reason',
      event({ type: 'alias', previousId: 'x' }),
      'drop',
      'UNSUPPORTED_EVENT_TYPE',
      'Example cannot merge users',
    ],
    [
      'call type without routes',
      event({ type: 'identify' }),
      'drop',
      'UNSUPPORTED_EVENT_TYPE',
      'Example does not take identify calls',
    ],
    ['no rule matches', event({ event: 'Ignored' }), 'drop', 'NO_MATCHING_MAPPING', 'no Example route matches'],
    ['payload fails the fields schema', event({ event: 'X', userId: null }), 'drop', 'INVALID_PAYLOAD', 'user'],
    ['perform drops', event({ event: 'Forbidden' }), 'drop', 'INVALID_PAYLOAD', 'forbidden name'],
    ['perform crashes', event({ event: 'Crash' }), 'dead-letter', 'TRANSLATION_ERROR', 'bug'],
  ])('%s', (_name, input, kind, reason, message) => {
    const translation = translateEvent(example, input, s);
    expect(translation).toMatchObject({ kind, reason });
    if (translation.kind !== 'requests') expect(translation.message).toContain(message);
  });

  it('prepares events for batching and builds one request per batch', () => {
    const a = prepareEvent(example, event({ event: 'A' }), s);
    const b = prepareEvent(example, event({ event: 'B', userId: 'u-2' }), s);
    if (a.kind !== 'prepared' || b.kind !== 'prepared') throw new Error('not prepared');
    expect(a.batchKey).toBe('track:');
    const [request] = buildRequests(example, 'track', [a.payload, b.payload], s);
    expect(request?.url).toBe('https://api.example.com/batch');
    expect(JSON.parse(request?.body ?? '')).toEqual([
      { name: 'A', user: 'u-1' },
      { name: 'B', user: 'u-2' },
    ]);
    expect(request?.itemEvents).toEqual([0, 1]);
    expect(() => buildRequests(example, 'track', [a.payload, a.payload, a.payload], s)).toThrow('1 to 2 events');
  });

  it('routes through the integrations object, then the filters', () => {
    const instance = {
      catalogName: 'Example',
      filters: [
        {
          id: 'f',
          sourceId: 's',
          title: 't',
          if: 'event = "Dropped"',
          actions: [{ type: 'DROP' as const }],
          enabled: true,
        },
      ],
    };
    expect(routeEvent(event({ event: 'A', integrations: { Example: false } }), instance)).toMatchObject({
      reason: 'FILTERED_BY_INTEGRATIONS_OBJECT',
    });
    expect(routeEvent(event({ event: 'Dropped' }), instance)).toMatchObject({ reason: 'FILTERED_BY_RULES' });
    expect(routeEvent(event({ event: 'A' }), instance).kind).toBe('keep');
  });

  it('derives the catalog entry from the definition', () => {
    const entry = catalogEntry(example);
    expect(entry).toMatchObject({
      id: 'example',
      name: 'Example',
      categories: ['Analytics'],
      secrets: { apiKey: 'whole', baseUrl: 'url' },
      supportedCallTypes: ['track', 'page'],
    });
    expect(entry.settingsSchema).toMatchObject({
      type: 'object',
      required: ['apiKey'],
      properties: { baseUrl: { default: 'https://api.example.com' }, apiKey: { secret: true } },
    });
    expect(entry.actions[0]).toMatchObject({
      id: 'track',
      maxBatchSize: 2,
      fieldsSchema: { required: ['name', 'user'] },
    });
  });

  it('reports structural problems of a definition', () => {
    const broken = defineDestination({
      ...example,
      routes: {
        track: [
          { action: 'nope' },
          { if: 'event = ', action: 'track', mapping: { unknown: 'x', name: { '@path': '$.a', x: 1 } } },
        ],
      },
    });
    expect(validateDefinition(broken)).toEqual([
      'routes.track[0]: unknown action "nope"',
      expect.stringContaining('routes.track[1]: invalid condition'),
      'routes.track[1]: mapping of unknown field "unknown"',
      'routes.track[1].name: a directive must be alone in its object (keys @path, x)',
    ]);
  });
});
