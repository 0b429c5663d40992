import type { CatalogEntryDefinition } from './domain/catalog';

/**
 * The catalog: every destination type the translators and the warehouse loader implement,
 * read from their definitions in code so it is never maintained twice.
 */
export function defaultCatalog(): CatalogEntryDefinition[] {
  return [];
}
