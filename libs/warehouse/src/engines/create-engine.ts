import type { Logger } from '@manifold/logger';
import { parseWarehouseSettings } from '../warehouse-kinds/parse-settings';
import { requireWarehouseKind, warehouseMasker, type EngineSettings } from '../warehouse-kinds';
import { CredentialMaskingEngine } from './credential-masking-engine';
import type { WarehouseEngine } from './engine';

/**
 * Parses a warehouse's settings against its kind and opens its engine (connections are made
 * lazily), its errors described with the warehouse's credentials masked; throws
 * InvalidWarehouseSettingsError listing every problem.
 */
export function createEngine(
  kind: string,
  rawSettings: Record<string, unknown>,
  logger: Logger,
): { engine: WarehouseEngine; settings: EngineSettings } {
  const definition = requireWarehouseKind(kind);
  const settings = parseWarehouseSettings(definition, rawSettings);
  return {
    engine: new CredentialMaskingEngine(definition.open(settings, logger), warehouseMasker(kind, rawSettings)),
    settings: { maxStringLength: settings.maxStringLength, batchSize: settings.batchSize },
  };
}
