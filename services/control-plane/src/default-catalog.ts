import { presetMappings, validateInstanceMappings } from '@manifold/destination-kit';
import { catalog as destinationCatalog, destinationById } from '@manifold/destinations';
import { warehouseCatalog } from '@manifold/warehouse';
import type { CatalogEntryDefinition } from './domain/catalog';

/**
 * The catalog: every destination type the translators and the warehouse loader implement,
 * read from their definitions in code so it is never maintained twice.
 */
export function defaultCatalog(): CatalogEntryDefinition[] {
  const warehouses = warehouseCatalog().map((kind): CatalogEntryDefinition => ({
    id: kind.id,
    name: kind.name,
    description: kind.description,
    categories: ['Warehouses'],
    settingsSchema: kind.settingsSchema,
    // A warehouse takes every call type: each has its table.
    supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
    warehouse: true,
  }));
  const destinations = destinationCatalog().map((entry): CatalogEntryDefinition => ({
    id: entry.id,
    name: entry.name,
    description: entry.description,
    categories: entry.categories,
    settingsSchema: entry.settingsSchema,
    supportedCallTypes: entry.supportedCallTypes,
    warehouse: false,
    actions: entry.actions.map(({ id, title, description, fields }) => ({ id, title, description, fields })),
    ...(entry.oauth ? { oauthScopes: entry.oauth.scopes } : {}),
    ...mappingRules(entry.id),
  }));
  return [...destinations, ...warehouses];
}

/** A destination type's presets and mapping validation, from its definition in code. */
export function mappingRules(id: string): Pick<CatalogEntryDefinition, 'mappings'> {
  const destination = destinationById(id);
  if (!destination) return {};
  return {
    mappings: {
      presets: () => presetMappings(destination),
      validate: (raw) => validateInstanceMappings(destination, raw),
    },
  };
}
