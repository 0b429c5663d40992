import type { Logger } from '@manifold/logger';
import { parseWarehouseSettings } from '../kinds/parse-settings';
import { requireWarehouseKind, type EngineSettings } from '../kinds';
import type { WarehouseEngine } from './engine';

/**
 * Parses a warehouse's settings against its kind and opens its engine (connections are made
 * lazily); throws InvalidWarehouseSettingsError listing every problem.
 */
export function createEngine(
  kind: string,
  rawSettings: Record<string, unknown>,
  logger: Logger,
): { engine: WarehouseEngine; settings: EngineSettings } {
  const definition = requireWarehouseKind(kind);
  const settings = parseWarehouseSettings(definition, rawSettings);
  return {
    engine: definition.open(settings, logger),
    settings: { maxStringLength: settings.maxStringLength, batchSize: settings.batchSize },
  };
}
