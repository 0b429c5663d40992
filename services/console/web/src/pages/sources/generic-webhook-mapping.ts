// A generic webhook source's mapping as the creation form edits it: a JSON path per common field
// of the Spec call, and the mapping kit's directives (JSON) for everything else.

export interface GenericMappingDraft {
  event: string;
  userId: string;
  anonymousId: string;
  timestamp: string;
  properties: string;
  /** A JSON object of further fields of the call (type, traits, messageId, ...); its keys win. */
  directives: string;
}

/** The fields the form asks a path for, in order, with their label. */
export const PATH_FIELDS: ReadonlyArray<[keyof Omit<GenericMappingDraft, 'directives'>, string]> = [
  ['event', 'Event name'],
  ['userId', 'User id'],
  ['anonymousId', 'Anonymous id'],
  ['timestamp', 'Timestamp'],
  ['properties', 'Properties'],
];

export const NEW_GENERIC_MAPPING: GenericMappingDraft = {
  event: '$.type',
  userId: '$.user.id',
  anonymousId: '',
  timestamp: '',
  properties: '$.data',
  directives: '{\n  "type": "track"\n}',
};

/**
 * The mapping the control plane takes (`webhook.mapping`): each path given as `{"@path": ...}`,
 * then the directives' keys; or why the directives are not a JSON object.
 */
export function genericMapping(draft: GenericMappingDraft): { mapping: Record<string, unknown> } | { error: string } {
  let directives: unknown;
  try {
    directives = draft.directives.trim() === '' ? {} : JSON.parse(draft.directives);
  } catch (error) {
    return { error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof directives !== 'object' || directives === null || Array.isArray(directives)) {
    return { error: 'must be a JSON object: call field → value or directive' };
  }
  const mapping: Record<string, unknown> = {};
  for (const [field] of PATH_FIELDS) {
    const path = draft[field].trim();
    if (path) mapping[field] = { '@path': path };
  }
  return { mapping: { ...mapping, ...(directives as Record<string, unknown>) } };
}
