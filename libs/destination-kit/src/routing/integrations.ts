import type { SpecEvent } from '@manifold/events';
import { drop, type DropOutcome } from '../outcome';

/**
 * Whether the event's `integrations` object lets it reach the destination named `name` (its
 * catalog name, e.g. "Mixpanel"; case-sensitive). docs/event-spec.md#integrations: an explicit key wins,
 * then `All`, then enabled; `true` or an object (destination options) enables, `false` disables.
 * A destination listed in `_metadata.bundled` was already served device-mode by analytics.js.
 *
 * Returns undefined when the event may go, or the drop that records why not.
 */
export function integrationsDrop(
  event: Pick<SpecEvent, 'integrations' | '_metadata'>,
  name: string,
): DropOutcome | undefined {
  const integrations = event.integrations ?? {};
  const explicit = Object.prototype.hasOwnProperty.call(integrations, name) ? integrations[name] : undefined;
  if (explicit !== undefined) {
    if (explicit === false) return drop('FILTERED_BY_INTEGRATIONS_OBJECT', `integrations["${name}"] is false`);
  } else if (integrations['All'] === false) {
    return drop('FILTERED_BY_INTEGRATIONS_OBJECT', `integrations.All is false and "${name}" is not listed`);
  }
  const bundled = event._metadata?.['bundled'];
  if (Array.isArray(bundled) && bundled.includes(name)) {
    return drop('MESSAGE_SENT_CLIENT_SIDE', `"${name}" is in _metadata.bundled: sent from the device`);
  }
  return undefined;
}

/** The destination-specific options an event carries for `name` (`integrations.Amplitude.session_id`, ...). */
export function integrationOptions(event: Pick<SpecEvent, 'integrations'>, name: string): Record<string, unknown> {
  const value = event.integrations?.[name];
  return typeof value === 'object' && value !== null ? value : {};
}
