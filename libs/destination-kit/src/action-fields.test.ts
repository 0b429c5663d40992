import { z } from 'zod';
import { actionFields } from './action-fields';
import { defineAction, type AnyAction } from './definition';

const settings = z.object({ token: z.string() });

describe('actionFields', () => {
  it("describes each field in order: title or name in words, the type it takes, description, required, the preset's mapping", () => {
    const action = defineAction(settings, {
      title: 'Track',
      description: 'Sends one event',
      fields: z.object({
        event_name: z.string().min(1).meta({ title: 'Event', description: 'What happened' }),
        userId: z.string().optional(),
        count: z.number().int().nullish(),
        traits: z
          .record(z.string(), z.unknown())
          .nullish()
          .transform((v) => v ?? {}),
        at: z.string().default('now'),
      }),
      defaultMapping: { event_name: { '@path': '$.event' }, traits: { '@path': '$.traits' } },
      perform: () => [],
    });
    expect(actionFields(action as AnyAction)).toEqual([
      {
        name: 'event_name',
        label: 'Event',
        type: 'string',
        description: 'What happened',
        required: true,
        defaultMapping: { '@path': '$.event' },
      },
      { name: 'userId', label: 'User id', type: 'string', description: '', required: false },
      { name: 'count', label: 'Count', type: 'integer', description: '', required: false },
      // A transform has no output schema; the type is what the field takes.
      {
        name: 'traits',
        label: 'Traits',
        type: 'object',
        description: '',
        required: false,
        defaultMapping: { '@path': '$.traits' },
      },
      // A default makes a field optional to map.
      { name: 'at', label: 'At', type: 'string', description: '', required: false },
    ]);
  });
});
