import type { Logger } from '@manifold/logger';
import { validateWarehouseSettings } from '../kinds';
import { DuckdbEngine } from './duckdb/duckdb-engine';
import type { WarehouseEngine } from './engine';
import { PostgresEngine, type PostgresConnection } from './postgres/postgres-engine';

export interface EngineSettings {
  maxStringLength: number;
  batchSize: number;
}

/** Validates a warehouse's settings and opens its engine (connections are made lazily). */
export function createEngine(
  kind: string,
  rawSettings: Record<string, unknown>,
  logger: Logger,
): { engine: WarehouseEngine; settings: EngineSettings } {
  const settings = validateWarehouseSettings(kind, rawSettings);
  const common: EngineSettings = {
    maxStringLength: settings['maxStringLength'] as number,
    batchSize: settings['batchSize'] as number,
  };
  if (kind === 'duckdb') {
    return { engine: new DuckdbEngine({ path: settings['path'] as string, logger }), settings: common };
  }
  const connection: PostgresConnection = {
    ...(typeof settings['url'] === 'string' ? { url: settings['url'] } : {}),
    ...(typeof settings['host'] === 'string' ? { host: settings['host'] } : {}),
    ...(typeof settings['port'] === 'number' ? { port: settings['port'] } : {}),
    ...(typeof settings['user'] === 'string' ? { user: settings['user'] } : {}),
    ...(typeof settings['password'] === 'string' ? { password: settings['password'] } : {}),
    ...(typeof settings['database'] === 'string' ? { database: settings['database'] } : {}),
    ...(settings['ssl'] === true ? { ssl: true } : {}),
  };
  return { engine: new PostgresEngine({ connection, logger }), settings: common };
}
