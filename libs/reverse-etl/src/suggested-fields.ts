/**
 * A column's or a field's name as suggestions compare them: lower case, letters and digits only,
 * so that `first_name`, `firstName` and `First Name` are one name.
 */
export function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Columns a plain `$.properties.<column>` path reads (others are left for the user to map). */
const PLAIN_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The field mapping a new connection starts with, as Segment's suggested mappings give one: each
 * of the action's fields whose normalized name is a model column's reads that column
 * (`$.properties.<column>`); the others stay unmapped. The user edits it like any mapping.
 */
export function suggestedFields(
  fieldNames: readonly string[],
  columns: readonly string[],
): Record<string, { '@path': string }> {
  const byName = new Map<string, string>();
  for (const column of columns) {
    if (PLAIN_COLUMN.test(column) && !byName.has(normalizedName(column))) byName.set(normalizedName(column), column);
  }
  const fields: Record<string, { '@path': string }> = {};
  for (const field of fieldNames) {
    const column = byName.get(normalizedName(field));
    if (column !== undefined) fields[field] = { '@path': `$.properties.${column}` };
  }
  return fields;
}
