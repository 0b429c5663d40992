import type { DestinationMappingConfig } from '@manifold/config-client';
import type { SpecEvent } from '@manifold/events';
import { isUnsupported, type DestinationDefinition, type DestinationSettingsSchema } from '../definition';
import { compileFql } from '../fql';
import { drop, outcomeOfError, type DeadLetterOutcome, type DropOutcome } from '../outcome';
import { mapForAction, type ParsedSettings, type PreparedEvent } from '../translate';
import type { Mapping } from '../mapping';
import { isReverseEtlMapping } from './instance-mapping';

/** An event prepared by one of an instance's mappings. */
export interface MappedEvent {
  mappingId: string;
  /** The payload for the mapping's action, or why this mapping sends nothing (e.g. INVALID_PAYLOAD). */
  result: PreparedEvent | DropOutcome | DeadLetterOutcome;
}

export type MappedEvents = { kind: 'mapped'; mapped: MappedEvent[] } | DropOutcome | DeadLetterOutcome;

/**
 * Runs an event through an instance's mappings, in their order: every enabled mapping whose
 * trigger matches maps the event for its action (as in Segment, an event may trigger several).
 * None matching drops the event as NO_MATCHING_MAPPING ("no mapping matched"), or as
 * UNSUPPORTED_EVENT_TYPE for a call type the destination declares it cannot take. Mappings are
 * expected to be valid (`validateInstanceMappings`); one that is not yields a TRANSLATION_ERROR
 * for its own part only. A Reverse ETL row change (`rowChange`: its source is the model its
 * `context.reverseEtl` names) runs only the connections' mappings (`retl-…`), and every other
 * event only the others: a model's row is not also sent by the presets that match every track,
 * and an event that only claims to be a row change is not sent by a connection. Pure.
 */
export function prepareMappedEvents<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  event: SpecEvent,
  settings: ParsedSettings<S>,
  mappings: readonly DestinationMappingConfig[],
  rowChange = false,
): MappedEvents {
  const mapped: MappedEvent[] = [];
  for (const mapping of mappings) {
    if (!mapping.enabled || isReverseEtlMapping(mapping) !== rowChange) continue;
    let result: MappedEvent['result'];
    try {
      const trigger = compileFql(mapping.trigger);
      if (!trigger.ok) throw new Error(`mapping ${mapping.id}: invalid trigger: ${trigger.error}`);
      if (!trigger.matches(event)) continue;
      result = mapForAction(destination, mapping.action, mapping.fields as Mapping, event, settings, {
        reverseEtl: rowChange,
      });
      // Which mapping made it: the trace names it beside each request it becomes.
      if (result.kind === 'prepared') result.mapping = { id: mapping.id, name: mapping.name };
    } catch (error) {
      result = outcomeOfError(error) as DropOutcome | DeadLetterOutcome;
    }
    mapped.push({ mappingId: mapping.id, result });
  }
  if (mapped.length > 0) return { kind: 'mapped', mapped };
  const route = destination.routes[event.type];
  if (isUnsupported(route)) return drop('UNSUPPORTED_EVENT_TYPE', route.unsupported);
  return drop('NO_MATCHING_MAPPING', `no mapping matched this ${event.type} event`);
}
