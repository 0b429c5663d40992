import { snakeCase } from '@manifold/events';

/** PostgreSQL keeps 63 bytes of an identifier; names are cut here so the catalog knows the real name. */
export const MAX_IDENTIFIER_LENGTH = 63;

/** The tables every source schema may have; an event named like one of them gets a `_` prefix. */
export const STANDARD_TABLES = ['identifies', 'users', 'groups', 'accounts', 'pages', 'screens', 'tracks', 'aliases'];

/**
 * A warehouse identifier from any name: snake_cased, a leading digit prefixed with `_`
 * (`3doctors` → `_3doctors`), cut to the identifier limit. Empty when nothing usable is left.
 */
export function identifier(name: string): string {
  let id = snakeCase(name);
  if (id === '') return '';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return id.slice(0, MAX_IDENTIFIER_LENGTH);
}

/** The schema a source loads into: its slug, snake_cased (libs/warehouse/README.md#layout). */
export function schemaNameForSource(slug: string): string {
  const name = identifier(slug);
  if (!name) throw new Error(`source slug ${JSON.stringify(slug)} gives no usable schema name`);
  return name;
}

/** The per-event table of a track call; '' when the name has no usable characters. */
export function tableNameForEvent(event: string): string {
  const name = identifier(event);
  if (name && STANDARD_TABLES.includes(name)) return `_${name}`.slice(0, MAX_IDENTIFIER_LENGTH);
  return name;
}
