// The warehouse kinds Manifold loads into, each declared with `defineWarehouse` next to its
// engine. The control plane's catalog reads this list, so a kind and its settings are described
// only there.
import { SecretMasker, settingsMasker, type SettingSecrets } from '@manifold/secrets';
import { duckdbWarehouse } from '../engines/duckdb/duckdb-warehouse';
import { postgresWarehouse } from '../engines/postgres/postgres-warehouse';
import {
  warehouseSecrets,
  warehouseSettingsJsonSchema,
  type EngineSettings,
  type WarehouseDefinition,
} from './define-warehouse';
import { InvalidWarehouseSettingsError, parseWarehouseSettings } from './parse-settings';

export const WAREHOUSE_KINDS: readonly WarehouseDefinition[] = [postgresWarehouse, duckdbWarehouse];

export function warehouseKind(id: string): WarehouseDefinition | undefined {
  return WAREHOUSE_KINDS.find((kind) => kind.id === id);
}

/** The kind of that id; throws InvalidWarehouseSettingsError naming the known kinds otherwise. */
export function requireWarehouseKind(id: string): WarehouseDefinition {
  const kind = warehouseKind(id);
  if (kind) return kind;
  throw new InvalidWarehouseSettingsError(id, [
    `unknown warehouse kind; expected one of ${WAREHOUSE_KINDS.map((k) => k.id).join(', ')}`,
  ]);
}

/**
 * Checks settings against their kind's schema and fills defaults; throws
 * InvalidWarehouseSettingsError listing every problem (secrets are never echoed).
 */
export function validateWarehouseSettings(kindId: string, settings: Record<string, unknown>): EngineSettings {
  return parseWarehouseSettings(requireWarehouseKind(kindId), settings);
}

/**
 * Masks a warehouse's credentials (as its kind's settings mark them) wherever they appear: in
 * engine errors, load records and the loader's logs. Settings of an unknown kind still get the
 * masking that needs no secrets (URL userinfo and the like).
 */
export function warehouseMasker(kindId: string, settings: Record<string, unknown>): SecretMasker {
  const kind = warehouseKind(kindId);
  return kind ? settingsMasker(settings, warehouseSecrets(kind)) : SecretMasker.generic;
}

/** What the control plane's catalog shows and checks of a warehouse kind. */
export interface WarehouseCatalogEntry {
  id: string;
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12, as the destinations') of the settings, as the user fills them in. */
  settingsSchema: Record<string, unknown>;
  /** The settings that hold credentials, and how (`settingSecrets`). */
  secrets: SettingSecrets;
}

export function warehouseCatalog(): WarehouseCatalogEntry[] {
  return WAREHOUSE_KINDS.map((kind) => ({
    id: kind.id,
    name: kind.name,
    description: kind.description,
    settingsSchema: warehouseSettingsJsonSchema(kind),
    secrets: warehouseSecrets(kind),
  }));
}

export { defineWarehouse, type EngineSettings, type WarehouseDefinition } from './define-warehouse';
export { InvalidWarehouseSettingsError } from './parse-settings';
