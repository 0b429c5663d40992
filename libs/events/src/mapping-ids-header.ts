/**
 * The mapping ids of an event that already went through (a retry's, a redrive's), as a message
 * header carries them: a JSON list, since the ids are the user's and may hold any character.
 */
export function encodeMappingIds(ids: readonly string[]): string {
  return JSON.stringify(ids);
}

/** Reads such a header back; throws, naming the header, when it is not a list of strings. */
export function decodeMappingIds(value: string, header: string): string[] {
  let ids: unknown;
  try {
    ids = JSON.parse(value);
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new Error(`a malformed ${header} header: expected a JSON list of mapping ids`);
  }
  return ids;
}
