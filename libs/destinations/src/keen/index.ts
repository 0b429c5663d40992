import { defineDestination } from '@manifold/destination-kit';
import { classifyKeenResponse } from './classify-response';
import { recordEvent } from './record-event';
import { keenSettings } from './settings';

// Keen's Events API (libs/destinations/src/keen/README.md#the-api): track, page and screen calls
// into collections named after the events, as Segment's Keen IO integration did. Keen records
// events only: identify, group and alias have nothing to go to.

const eventsOnly = (call: string) => ({
  unsupported: `Keen records events only; a ${call} call changes no event (the traits ride along on later events as context.traits)`,
});

export const keen = defineDestination({
  id: 'keen',
  name: 'Keen',
  description: 'Records track, page and screen calls as Keen events, one collection per event name.',
  categories: ['Analytics'],
  settings: keenSettings,
  actions: { recordEvent },
  routes: {
    track: [{ action: 'recordEvent' }],
    page: [{ action: 'recordEvent' }],
    screen: [{ action: 'recordEvent' }],
    identify: eventsOnly('identify'),
    group: eventsOnly('group'),
    alias: eventsOnly('alias'),
  },
  classifyResponse: classifyKeenResponse,
});

export { keenSettings, type KeenSettings } from './settings';
export { uniquenessToken as keenUniquenessToken } from './keen-namespace';
