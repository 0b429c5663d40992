import { defineDestination } from '@manifold/destination-kit';
import { classifyCustomerioResponse } from './classify-response';
import { deviceEvent } from './device';
import { mergePeople } from './merge-people';
import { createUpdateObject } from './object';
import { createUpdatePerson } from './person';
import { personState } from './person-state';
import { customerioSettings } from './settings';
import { trackEvent } from './track-event';
import { trackPageView } from './track-page-view';
import { trackScreenView } from './track-screen-view';

// Customer.io Track API v2 with Segment's Actions presets.

const WITH_TOKEN = 'context.device.token != null';
const ADDS_DEVICE = 'event in ["Application Installed", "Application Opened", "Device Created or Updated"]';
const DELETES_DEVICE = 'event in ["Application Uninstalled", "Device Deleted"]';

export const customerio = defineDestination({
  id: 'customerio',
  name: 'Customer.io',
  description:
    'Creates and updates people, objects and devices in Customer.io and tracks their events, page and screen views through the Track API.',
  categories: ['Email Marketing', 'SMS & Push Notifications'],
  settings: customerioSettings,
  actions: {
    createUpdatePerson,
    trackEvent,
    trackPageView,
    trackScreenView,
    createUpdateObject,
    mergePeople,
    deviceEvent,
    personState,
  },
  routes: {
    identify: [{ action: 'createUpdatePerson' }],
    track: [
      {
        if: 'event = "User Deleted" and userId != null',
        action: 'personState',
        mapping: { operation: { '@literal': 'delete' } },
      },
      {
        if: 'event = "User Suppressed" and userId != null',
        action: 'personState',
        mapping: { operation: { '@literal': 'suppress' } },
      },
      {
        if: 'event = "User Unsuppressed" and userId != null',
        action: 'personState',
        mapping: { operation: { '@literal': 'unsuppress' } },
      },
      {
        if: `${ADDS_DEVICE} and ${WITH_TOKEN}`,
        action: 'deviceEvent',
        mapping: { operation: { '@literal': 'add_device' } },
      },
      {
        if: `${DELETES_DEVICE} and ${WITH_TOKEN}`,
        action: 'deviceEvent',
        mapping: { operation: { '@literal': 'delete_device' } },
      },
      { action: 'trackEvent' },
    ],
    page: [{ action: 'trackPageView' }],
    screen: [{ action: 'trackScreenView' }],
    group: [{ action: 'createUpdateObject' }],
    alias: [{ action: 'mergePeople' }],
  },
  classifyResponse: classifyCustomerioResponse,
});

export { customerioSettings, type CustomerioSettings } from './settings';
