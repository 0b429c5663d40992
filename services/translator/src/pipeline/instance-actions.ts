import type { DestinationConfig } from '@manifold/config-client';
import {
  drop,
  prepareEvent,
  prepareMappedEvents,
  type DeadLetterOutcome,
  type DestinationDefinition,
  type DestinationSettingsSchema,
  type DropOutcome,
  type FieldNotice,
  type ParsedSettings,
  type PreparedEvent,
} from '@manifold/destination-kit';
import type { SpecEvent } from '@manifold/events';

/** What an event makes one instance do: the first matched action's payload, then any others. */
export interface InstanceActions {
  kind: 'prepared';
  prepared: PreparedEvent;
  /** Further mappings the event matched (Segment runs each); sent with the first, never batched. */
  more: PreparedEvent[];
}

/**
 * Chooses and maps the actions an event runs at one instance: the instance's own mappings when it
 * has them (every enabled mapping whose trigger matches), else the destination's presets. A
 * matched mapping whose payload is refused (e.g. a required field missing from this event) does
 * not stop the others; it is recorded as a notice on the event (`mapping <id>`), and only when
 * no matched mapping has anything to send does the event stop, with the first one's reason.
 * A retry leaves out the mappings an earlier attempt delivered (`delivered`, their ids).
 * A Reverse ETL row change (`rowChange`) runs only its connections' mappings, never the presets
 * (`prepareMappedEvents`).
 */
export function chooseInstanceActions<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  instance: Pick<DestinationConfig, 'mappings'>,
  event: SpecEvent,
  settings: ParsedSettings<S>,
  delivered: readonly string[] = [],
  rowChange = false,
): InstanceActions | DropOutcome | DeadLetterOutcome {
  if (!instance.mappings) {
    if (rowChange) return drop('NO_MATCHING_MAPPING', "a Reverse ETL row change runs only its connections' mappings");
    const prepared = prepareEvent(destination, event, settings);
    return prepared.kind === 'prepared' ? { kind: 'prepared', prepared, more: [] } : prepared;
  }
  const mappings =
    delivered.length > 0 ? instance.mappings.filter((m) => !delivered.includes(m.id)) : instance.mappings;
  const result = prepareMappedEvents(destination, event, settings, mappings, rowChange);
  if (result.kind !== 'mapped') return result;
  const prepared: PreparedEvent[] = [];
  const refused: FieldNotice[] = [];
  let firstStop: DropOutcome | DeadLetterOutcome | undefined;
  for (const { mappingId, result: one } of result.mapped) {
    if (one.kind === 'prepared') {
      prepared.push(one);
      continue;
    }
    firstStop ??= one;
    refused.push({ kind: 'dropped', field: `mapping ${mappingId}`, reason: `${one.reason}: ${one.message}` });
  }
  const [first, ...more] = prepared;
  if (!first) return firstStop as DropOutcome | DeadLetterOutcome;
  return { kind: 'prepared', prepared: { ...first, notices: [...first.notices, ...refused] }, more };
}
