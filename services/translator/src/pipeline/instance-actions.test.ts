import type { DestinationMappingConfig } from '@manifold/config-client';
import { parseSettings } from '@manifold/destination-kit';
import { webhook } from '@manifold/destinations';
import type { SpecEvent } from '@manifold/events';
import { chooseInstanceActions } from './instance-actions';

const parsed = parseSettings(webhook, { url: 'https://hooks.example.com/in' });
if (!parsed.ok) throw new Error('settings');
const settings = parsed.settings;

const event = {
  type: 'track',
  event: 'Signed Up',
  messageId: 'm-1',
  userId: 'u-1',
  timestamp: '2026-01-01T00:00:00.000Z',
} as SpecEvent;

const mapping = (id: string, trigger: string, data: unknown): DestinationMappingConfig => ({
  id,
  name: id,
  enabled: true,
  trigger,
  action: 'send',
  fields: { data },
});

describe('chooseInstanceActions', () => {
  it('uses the presets when the instance has no mappings of its own', () => {
    expect(chooseInstanceActions(webhook, {}, event, settings)).toMatchObject({
      kind: 'prepared',
      prepared: { action: 'send', payload: { data: event } },
      more: [],
    });
  });

  it('sends a row change with no connection mapping at the instance nowhere, not by the presets', () => {
    expect(chooseInstanceActions(webhook, {}, event, settings, [], true)).toMatchObject({
      kind: 'drop',
      reason: 'NO_MATCHING_MAPPING',
    });
  });

  it('leaves out, on a retry, the mappings an earlier attempt delivered', () => {
    const mappings = [mapping('a', 'all', { n: 1 }), mapping('b', 'all', { n: 2 }), mapping('c', 'all', { n: 3 })];
    expect(chooseInstanceActions(webhook, { mappings }, event, settings, ['a', 'c'])).toMatchObject({
      kind: 'prepared',
      prepared: { payload: { data: { n: 2 } }, mapping: { id: 'b', name: 'b' } },
      more: [],
    });
  });

  it('prepares every matching mapping, in order', () => {
    const result = chooseInstanceActions(
      webhook,
      {
        mappings: [
          mapping('a', 'all', { n: 1 }),
          mapping('b', 'event = "Other"', { n: 2 }),
          mapping('c', 'all', { n: 3 }),
        ],
      },
      event,
      settings,
    );
    expect(result).toMatchObject({
      kind: 'prepared',
      prepared: { payload: { data: { n: 1 } } },
      more: [{ payload: { data: { n: 3 } } }],
    });
  });

  it('records a matched mapping that cannot send as a notice, and stops only when none can', () => {
    // `data` must be an object: a mapping reading a missing path has nothing valid to send.
    const refused = mapping('nothing', 'all', { '@path': '$.properties' });
    const result = chooseInstanceActions(
      webhook,
      { mappings: [refused, mapping('ok', 'all', { n: 1 })] },
      event,
      settings,
    );
    expect(result).toMatchObject({ kind: 'prepared', prepared: { payload: { data: { n: 1 } } }, more: [] });
    expect(result.kind === 'prepared' && result.prepared.notices).toEqual([
      { kind: 'dropped', field: 'mapping nothing', reason: expect.stringMatching(/^INVALID_PAYLOAD: /) as string },
    ]);
    expect(chooseInstanceActions(webhook, { mappings: [refused] }, event, settings)).toMatchObject({
      kind: 'drop',
      reason: 'INVALID_PAYLOAD',
    });
    expect(chooseInstanceActions(webhook, { mappings: [] }, event, settings)).toEqual({
      kind: 'drop',
      reason: 'NO_MATCHING_MAPPING',
      message: 'no mapping matched this track event',
    });
  });
});
