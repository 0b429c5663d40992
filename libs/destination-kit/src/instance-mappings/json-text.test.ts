// A Reverse ETL row's JSON text (a warehouse column of JSON written as text) reaches object and
// array fields as the object or array it holds; an ordinary event's string stays a string.
import { z } from 'zod';
import type { SpecEvent } from '@manifold/events';
import {
  defineAction,
  defineDestination,
  jsonRequest,
  lenient,
  prepareMappedEvents,
  type InstanceMapping,
  type MappedEvents,
} from '../index';

const settings = z.object({ apiKey: z.string().min(1) });

const upsert = defineAction(settings, {
  title: 'Upsert',
  description: 'One profile',
  fields: z.object({
    id: z.string(),
    address: z.record(z.string(), z.unknown()).optional(),
    tags: z.array(z.string()).optional(),
    traits: lenient.object(),
    note: z.string().optional(),
    city: z.string().optional(),
    firstTag: z.string().optional(),
    items: z.array(z.object({ sku: z.string() })).optional(),
  }),
  defaultMapping: { id: { '@path': '$.userId' } },
  perform: (payload) => [jsonRequest('POST', 'https://api.example.com/upsert', payload)],
});

const destination = defineDestination({
  id: 'example',
  name: 'Example',
  description: 'Test destination',
  categories: ['Analytics'],
  settings,
  actions: { upsert },
  routes: {},
});

const address = '{"city":"Paris","zip":"75001","geo":{"lat":48.86}}';
const tags = '["vip", "beta"]';
const items = '[{"sku":"a","qty":1},{"sku":"b","name":"B"}]';

function row(properties: Record<string, unknown>): SpecEvent {
  return {
    type: 'track',
    event: 'new',
    userId: 'u1',
    messageId: 'm-1',
    timestamp: '2026-01-01T00:00:00.000Z',
    properties,
  } as SpecEvent;
}

function mapping(fields: InstanceMapping['fields'], id = 'retl-c1'): InstanceMapping {
  return { id, name: 'Profiles', enabled: true, trigger: 'type = "track"', action: 'upsert', fields };
}

function firstResult(result: MappedEvents) {
  if (result.kind !== 'mapped') throw new Error(`not mapped: ${result.kind}`);
  return result.mapped[0]?.result;
}

const run = (fields: InstanceMapping['fields'], properties: Record<string, unknown>, rowChange = true) =>
  firstResult(
    prepareMappedEvents(
      destination,
      row(properties),
      { apiKey: 'k' },
      [mapping(fields, rowChange ? 'retl-c1' : 'm1')],
      rowChange,
    ),
  );

describe('JSON text in Reverse ETL rows', () => {
  it('is parsed into an object or array field that takes the whole value', () => {
    const result = run(
      {
        id: { '@path': '$.userId' },
        address: { '@path': '$.properties.address' },
        tags: { '@path': '$.properties.tags' },
        traits: { '@path': '$.properties.traits' },
        note: { '@path': '$.properties.address' },
      },
      { address, tags, traits: ' {"plan":"pro"} ' },
    );
    expect(result).toMatchObject({
      kind: 'prepared',
      payload: {
        id: 'u1',
        address: { city: 'Paris', zip: '75001', geo: { lat: 48.86 } },
        tags: ['vip', 'beta'],
        traits: { plan: 'pro' },
        // A string field keeps the text as the warehouse wrote it.
        note: address,
      },
      notices: [],
    });
  });

  it('keeps every digit of an integer a number cannot hold, as the row itself does', () => {
    const result = run(
      { id: { '@path': '$.userId' }, address: { '@path': '$.properties.address' } },
      {
        address: '{"account":1234567890123456789}',
      },
    );
    expect(result).toMatchObject({ kind: 'prepared', payload: { address: { account: '1234567890123456789' } } });
  });

  it('is read by a path into the column, and by @arrayPath with an item shape', () => {
    const result = run(
      {
        id: { '@path': '$.userId' },
        city: { '@path': '$.properties.address.city' },
        firstTag: { '@template': '{{properties.tags[0]}}' },
        items: { '@arrayPath': ['$.properties.items', { sku: { '@path': '$.sku' } }] },
        address: { lat: { '@path': '$.properties.address.geo.lat' }, missing: { '@path': '$.properties.address.no' } },
      },
      { address, tags, items },
    );
    expect(result).toMatchObject({
      kind: 'prepared',
      payload: { city: 'Paris', firstTag: 'vip', items: [{ sku: 'a' }, { sku: 'b' }], address: { lat: 48.86 } },
    });
    // A key the JSON does not have is absent, as a missing property is.
    expect(result?.kind === 'prepared' && result.payload['address']).toEqual({ lat: 48.86 });
  });

  it('that does not parse, or holds another kind, stays text and meets the field as it did', () => {
    const fields = { id: { '@path': '$.userId' }, traits: { '@path': '$.properties.traits' } };
    expect(run(fields, { traits: '{"plan": pro}' })).toMatchObject({
      kind: 'prepared',
      payload: { id: 'u1' },
      notices: [{ kind: 'dropped', field: 'traits', reason: 'a string, not an object' }],
    });
    expect(run(fields, { traits: '["pro"]' })).toMatchObject({
      notices: [{ kind: 'dropped', field: 'traits', reason: 'a string, not an object' }],
    });
    expect(
      run({ id: { '@path': '$.userId' }, tags: { '@path': '$.properties.tags' } }, { tags: '{"a":1}' }),
    ).toMatchObject({
      kind: 'drop',
      reason: 'INVALID_PAYLOAD',
    });
    expect(
      run({ id: { '@path': '$.userId' }, tags: { '@path': '$.properties.tags' } }, { tags: '"vip"' }),
    ).toMatchObject({
      kind: 'drop',
      reason: 'INVALID_PAYLOAD',
    });
    expect(
      run({ id: { '@path': '$.userId' }, city: { '@path': '$.properties.address.city' } }, { address: '{' }),
    ).toMatchObject({
      kind: 'prepared',
      payload: { id: 'u1' },
    });
  });

  it('is not parsed in an ordinary event: its string property stays a string', () => {
    const fields = {
      id: { '@path': '$.userId' },
      traits: { '@path': '$.properties.traits' },
      city: { '@path': '$.properties.address.city' },
    };
    const result = run(fields, { traits: '{"plan":"pro"}', address }, false);
    expect(result).toMatchObject({
      kind: 'prepared',
      payload: { id: 'u1' },
      notices: [{ kind: 'dropped', field: 'traits', reason: 'a string, not an object' }],
    });
    expect(result?.kind === 'prepared' && result.payload['city']).toBeUndefined();
    expect(run({ id: { '@path': '$.userId' }, tags: { '@path': '$.properties.tags' } }, { tags }, false)).toMatchObject(
      { kind: 'drop', reason: 'INVALID_PAYLOAD' },
    );
  });
});
