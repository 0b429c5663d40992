import { DropEventError, type Notices } from '@manifold/destination-kit';
import type { KeenSettings } from './settings';

// Which collections an event goes to. A track call goes to the collection named after its event,
// as Segment did; a page or screen call to up to three, one per page setting that applies. Keen
// refuses collection names over 64 characters, outside printable ASCII, holding `$`, starting with
// `_` or `.`, or ending with `.`: such a name is made valid (the characters replaced by `_`, the
// ends trimmed, cut to 64) with a notice, so the event is still recorded.

const MAX_COLLECTION_CHARS = 64;

export interface ViewFields {
  type: 'track' | 'page' | 'screen';
  event?: string | null | undefined;
  name?: string | null | undefined;
  category?: string | null | undefined;
}

/** The event names a call is recorded under, before they are made valid collection names. */
export function eventNames(view: ViewFields, settings: KeenSettings): string[] {
  if (view.type === 'track') return view.event ? [view.event] : [];
  const kind = view.type === 'page' ? 'Page' : 'Screen';
  const names: string[] = [];
  if (settings.trackAllPages) names.push(`Loaded a ${kind}`);
  if (settings.trackNamedPages && view.name) {
    names.push(view.category ? `Viewed ${view.category} ${view.name} ${kind}` : `Viewed ${view.name} ${kind}`);
  }
  if (settings.trackCategorizedPages && view.category) names.push(`Viewed ${view.category} ${kind}`);
  return names;
}

/** `name` as a collection name Keen takes. */
export function collectionName(name: string, notices: Notices): string {
  let valid = name.replace(/[^\x20-\x7e]|\$/g, '_').replace(/^[_.]+/, '');
  valid = valid.slice(0, MAX_COLLECTION_CHARS).replace(/\.+$/, '');
  if (valid === '') throw new DropEventError('INVALID_PAYLOAD', 'the event name makes no valid Keen collection name');
  if (valid !== name) notices.reshaped('collection', "event name changed to fit Keen's collection-name rules");
  return valid;
}
