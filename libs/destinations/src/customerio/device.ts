import { z } from 'zod';
import { defineAction, type Notices } from '@manifold/destination-kit';
import { compact, soft, optionalText } from '../common/fields';
import { entityAction, type Entity } from './entity';
import { occurrenceEntity, occurrenceFields, occurrenceMapping, occurrenceName } from './event-entity';
import { personIdentifiers } from './identifiers';
import { customerioSettings, type CustomerioSettings } from './settings';
import { unixSeconds } from './timestamps';

// Mobile lifecycle events with a push token: "Application Installed/Opened" and "Device Created
// or Updated" upsert the person's device, "Application Uninstalled" and "Device Deleted" remove
// it; the event itself is always tracked too (in Segment both the device mapping and the Track
// Event mapping match these events). A device belongs to a known person and has a platform
// Customer.io can push to (ios or android): otherwise only the event goes.

/** The push platform of a device type or OS name ("iOS", "iPadOS", "Android", …), if Customer.io has it. */
export function pushPlatform(...names: (string | undefined)[]): 'ios' | 'android' | undefined {
  for (const name of names) {
    const lower = name?.trim().toLowerCase() ?? '';
    if (/^(ios|ipados|iphone( ?os)?|ipad|tvos|watchos)$/.test(lower)) return 'ios';
    if (/^android/.test(lower)) return 'android';
  }
  return undefined;
}

const fields = z.object({
  ...occurrenceFields,
  name: occurrenceName(),
  operation: z.enum(['add_device', 'delete_device']),
  deviceToken: z.string().min(1).meta({ description: 'Push token of the device' }),
  /** ios or android; otherwise the platform is read from osName. */
  deviceType: soft.string(),
  osName: soft.string(),
  lastUsed: optionalText(),
  /** Device attributes, named as Customer.io's SDKs name them. */
  deviceAttributes: z.object({
    device_os: soft.string(),
    device_model: soft.string(),
    device_manufacturer: soft.string(),
    app_version: soft.string(),
    device_locale: soft.string(),
  }),
});

type DevicePayload = z.output<typeof fields>;

function deviceEntity(payload: DevicePayload, notices: Notices): Entity | undefined {
  if (!payload.personId) {
    notices.dropped('device', 'a device belongs to a known person (userId): only the event is tracked');
    return undefined;
  }
  const device: Record<string, unknown> = { token: payload.deviceToken };
  if (payload.operation === 'add_device') {
    const platform = pushPlatform(payload.deviceType ?? undefined, payload.osName ?? undefined);
    if (!platform) {
      notices.dropped('device', 'Customer.io registers ios and android devices only: only the event is tracked');
      return undefined;
    }
    device['platform'] = platform;
    if (payload.lastUsed) device['last_used'] = unixSeconds(payload.lastUsed);
    const attributes = compact(payload.deviceAttributes);
    if (Object.keys(attributes).length > 0) device['attributes'] = attributes;
  }
  return {
    type: 'person',
    action: payload.operation,
    identifiers: personIdentifiers({ personId: payload.personId }) as Record<string, string>,
    device,
  };
}

function toEntities(payload: DevicePayload, settings: CustomerioSettings, notices: Notices): Entity[] {
  const device = deviceEntity(payload, notices);
  const event = occurrenceEntity('event', payload, settings, notices);
  return device ? [device, event] : [event];
}

export const deviceEvent = defineAction(customerioSettings, {
  title: 'Create, update or delete device',
  description: 'Application lifecycle events: adds or removes the push device, and tracks the event.',
  fields,
  defaultMapping: {
    ...occurrenceMapping,
    name: { '@path': '$.event' },
    operation: { '@literal': 'add_device' },
    deviceToken: { '@path': '$.context.device.token' },
    deviceType: { '@path': '$.context.device.type' },
    osName: { '@path': '$.context.os.name' },
    lastUsed: { '@path': '$.timestamp' },
    deviceAttributes: {
      device_os: { '@path': '$.context.os.version' },
      device_model: { '@path': '$.context.device.model' },
      device_manufacturer: { '@path': '$.context.device.manufacturer' },
      app_version: { '@path': '$.context.app.version' },
      device_locale: { '@path': '$.context.locale' },
    },
  },
  ...entityAction(fields, toEntities),
});
