import {
  prepareEvent,
  prepareMappedEvents,
  presetMappings,
  validateInstanceMappings,
  type ParsedSettings,
} from '@manifold/destination-kit';
import type { SpecEvent } from '@manifold/events';
import { DESTINATIONS } from './index';
import { specEvent } from './test-support/harness';

// Events of every call type, with the track events the presets route apart.
const EVENTS: SpecEvent[] = [
  specEvent({ type: 'identify', traits: { email: 'ada@example.com', plan: 'pro' } }),
  specEvent({ type: 'track', event: 'Clicked', properties: { button: 'buy' } }),
  ...['Order Completed', 'Order Refunded', 'Product Added', 'Product List Viewed', 'Checkout Started'].map((event) =>
    specEvent({
      type: 'track',
      event,
      properties: { order_id: 'o-1', revenue: 20, currency: 'USD', products: [{ product_id: 'p-1', price: 10 }] },
    }),
  ),
  specEvent({ type: 'track', event: 'Application Installed', context: { device: { token: 't-1', type: 'ios' } } }),
  specEvent({ type: 'track', event: 'User Deleted' }),
  specEvent({ type: 'page', name: 'Cart' }),
  specEvent({ type: 'screen', name: 'Home' }),
  specEvent({ type: 'group', groupId: 'acme', traits: { name: 'Acme' } }),
  specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
];

// Mapping never reads settings; only a batch key may, and none of these batch under empty settings.
const settings = {} as ParsedSettings<never>;

describe('presets as instance mappings', () => {
  it('every destination has presets, and they pass the validation a user mapping passes', () => {
    for (const destination of DESTINATIONS) {
      const presets = presetMappings(destination);
      expect([destination.id, presets.length > 0]).toEqual([destination.id, true]);
      const validation = validateInstanceMappings(destination, presets);
      expect([destination.id, validation.ok ? [] : validation.problems]).toEqual([destination.id, []]);
    }
  });

  it('prepare every event exactly as the routes do, in every destination', () => {
    for (const destination of DESTINATIONS) {
      const presets = presetMappings(destination);
      for (const event of EVENTS) {
        const byRoutes = prepareEvent(destination, event, settings);
        const byPresets = prepareMappedEvents(destination, event, settings, presets);
        const what = `${destination.id} ${event.type} ${event.event ?? ''}`;
        if (byRoutes.kind === 'drop' && ['NO_MATCHING_MAPPING', 'UNSUPPORTED_EVENT_TYPE'].includes(byRoutes.reason)) {
          expect([what, byPresets.kind === 'mapped' ? byPresets.mapped : byPresets.reason]).toEqual([
            what,
            byRoutes.reason,
          ]);
          continue;
        }
        // The same result; a prepared one also names the preset that made it (for the trace).
        const results =
          byPresets.kind === 'mapped' ? byPresets.mapped.map(({ result }) => withoutMapping(result)) : byPresets;
        expect([what, results]).toEqual([what, [byRoutes]]);
      }
    }
  });
});

function withoutMapping<T extends { kind: string }>(result: T): T {
  if (result.kind !== 'prepared') return result;
  const { mapping: _mapping, ...rest } = result as T & { mapping?: unknown };
  return rest as T;
}
