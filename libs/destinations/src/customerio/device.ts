import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { entityAction, type Entity } from './entity';
import { occurrenceEntity, occurrenceFields, occurrenceMapping, occurrenceName } from './event-entity';
import { personIdentifiers } from './identifiers';
import { optionalId } from './optional';
import { customerioSettings, type CustomerioSettings } from './settings';
import { unixSeconds } from './timestamps';

// "Application Installed/Opened" upsert the person's device and "Application Uninstalled"
// removes it; the event itself is tracked too (in Segment both the device mapping and the
// Track Event mapping match these events, so both entities are sent).

const fields = z.object({
  ...occurrenceFields,
  personId: z.string().min(1).meta({ description: 'A device belongs to a known person (userId)' }),
  name: occurrenceName(),
  operation: z.enum(['add_device', 'delete_device']),
  deviceToken: z.string().min(1).meta({ description: 'Push token of the device' }),
  platform: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['ios', 'android']))
    .optional(),
  lastUsed: optionalId(),
});

function toEntities(payload: z.output<typeof fields>, settings: CustomerioSettings): Entity[] {
  const device: Record<string, unknown> = { token: payload.deviceToken };
  if (payload.operation === 'add_device') {
    device['platform'] = payload.platform;
    if (payload.lastUsed) device['last_used'] = unixSeconds(payload.lastUsed);
  }
  const deviceEntity: Entity = {
    type: 'person',
    action: payload.operation,
    identifiers: personIdentifiers({ personId: payload.personId }) as Record<string, string>,
    device,
  };
  return [deviceEntity, occurrenceEntity('event', payload, settings)];
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
    platform: { '@path': '$.context.device.type' },
    lastUsed: { '@path': '$.timestamp' },
  },
  ...entityAction(fields, toEntities),
});
