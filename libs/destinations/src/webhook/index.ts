import { defineDestination } from '@manifold/destination-kit';
import { send } from './send';
import { webhookSettings } from './settings';

const everything = [{ action: 'send' }] as const;

export const webhook = defineDestination({
  id: 'webhook',
  name: 'Webhook',
  description: 'Sends every event as JSON to an HTTP endpoint of yours, optionally signed with HMAC-SHA1.',
  categories: ['Raw Data'],
  settings: webhookSettings,
  actions: { send },
  routes: {
    track: everything,
    identify: everything,
    page: everything,
    screen: everything,
    group: everything,
    alias: everything,
  },
});

export { webhookSettings, type WebhookSettings } from './settings';
export { webhookSignature } from './send';
