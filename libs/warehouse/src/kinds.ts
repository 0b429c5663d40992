import { settingSecrets } from '@manifold/secrets';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The warehouse kinds Manifold loads into, with their settings as JSON Schema. The control
 * plane's catalog imports this list, so a kind and its settings are described only here.
 *
 * Secrets: a property with `"secret": true` holds a credential. The control plane stores it
 * encrypted, never returns it in clear to the console, and only the data plane receives it
 * decrypted (WarehouseConfig.settings).
 */
export interface WarehouseKind {
  id: 'postgres' | 'duckdb';
  name: string;
  description: string;
  settingsSchema: SettingsSchema;
}

/** The subset of JSON Schema these settings use, plus the `secret` marker. */
export interface SettingsSchema {
  type: 'object';
  properties: Record<string, SettingsProperty>;
  required?: string[];
  additionalProperties?: boolean;
  anyOf?: Array<{ required: string[] }>;
}

export interface SettingsProperty {
  type: 'string' | 'integer' | 'boolean';
  title: string;
  description?: string;
  format?: string;
  default?: string | number | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  /** Holds a credential: stored encrypted, never shown again once saved. */
  secret?: boolean;
}

const maxStringLength: SettingsProperty = {
  type: 'integer',
  title: 'Longest text value',
  description: 'Longer strings (and JSON of arrays) are cut to this many characters, as Segment does at 512.',
  default: 512,
  minimum: 16,
  maximum: 65535,
};

const batchSize: SettingsProperty = {
  type: 'integer',
  title: 'Load early after this many events',
  description: 'A load starts before the sync interval once this many events are waiting.',
  default: 20000,
  minimum: 1,
  maximum: 1000000,
};

export const POSTGRES_SETTINGS_SCHEMA: SettingsSchema = {
  type: 'object',
  properties: {
    url: {
      type: 'string',
      title: 'Connection URL',
      description: 'postgres://user:password@host:5432/database. Use this or the separate fields.',
      pattern: '^postgres(ql)?://',
      secret: true,
    },
    host: { type: 'string', title: 'Host', minLength: 1 },
    port: { type: 'integer', title: 'Port', default: 5432, minimum: 1, maximum: 65535 },
    user: { type: 'string', title: 'User', minLength: 1 },
    password: { type: 'string', title: 'Password', secret: true },
    database: { type: 'string', title: 'Database', minLength: 1 },
    ssl: { type: 'boolean', title: 'Require TLS', default: false },
    maxStringLength,
    batchSize,
  },
  anyOf: [{ required: ['url'] }, { required: ['host', 'user', 'database'] }],
  additionalProperties: false,
};

export const DUCKDB_SETTINGS_SCHEMA: SettingsSchema = {
  type: 'object',
  properties: {
    path: {
      type: 'string',
      title: 'Database file',
      description: 'Path of the DuckDB file on the loader’s disk; created on first load.',
      minLength: 1,
    },
    maxStringLength,
    batchSize,
  },
  required: ['path'],
  additionalProperties: false,
};

export const WAREHOUSE_KINDS: readonly WarehouseKind[] = [
  {
    id: 'postgres',
    name: 'PostgreSQL',
    description: 'Loads events into a PostgreSQL database: a schema per source, a table per event type.',
    settingsSchema: POSTGRES_SETTINGS_SCHEMA,
  },
  {
    id: 'duckdb',
    name: 'DuckDB',
    description: 'Loads events into a DuckDB file on the loader’s disk: the embedded default for local runs.',
    settingsSchema: DUCKDB_SETTINGS_SCHEMA,
  },
];

export type WarehouseKindId = WarehouseKind['id'];

export function warehouseKind(id: string): WarehouseKind | undefined {
  return WAREHOUSE_KINDS.find((k) => k.id === id);
}

/** Names of the settings that hold secrets, read by the same rule as the control plane's encryption and masking. */
export function secretSettings(kind: WarehouseKind): string[] {
  return Object.keys(settingSecrets(kind.settingsSchema));
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictRequired: false });
ajv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
const validators = new Map<string, ValidateFunction>();

export class InvalidWarehouseSettingsError extends Error {
  constructor(
    readonly kind: string,
    readonly problems: string[],
  ) {
    super(`invalid ${kind} warehouse settings: ${problems.join('; ')}`);
    this.name = 'InvalidWarehouseSettingsError';
  }
}

/**
 * Checks settings against their kind's schema and fills defaults; throws
 * InvalidWarehouseSettingsError listing every problem (secrets are never echoed).
 */
export function validateWarehouseSettings(kindId: string, settings: Record<string, unknown>): Record<string, unknown> {
  const kind = warehouseKind(kindId);
  if (!kind) {
    throw new InvalidWarehouseSettingsError(kindId, [
      `unknown warehouse kind; expected one of ${WAREHOUSE_KINDS.map((k) => k.id).join(', ')}`,
    ]);
  }
  let validate = validators.get(kind.id);
  if (!validate) validators.set(kind.id, (validate = ajv.compile(kind.settingsSchema)));
  const copy = structuredClone(settings);
  if (validate(copy)) return copy;
  const problems = (validate.errors ?? [])
    .filter((e) => !e.schemaPath.startsWith('#/anyOf/'))
    .map((e) => {
      if (e.keyword === 'anyOf') {
        const choices = (kind.settingsSchema.anyOf ?? []).map((a) => a.required.join(' + '));
        return `settings need ${choices.join(', or ')}`;
      }
      const where = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : 'settings';
      const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
      return `${where} ${e.message ?? 'is invalid'}${extra}`;
    });
  throw new InvalidWarehouseSettingsError(kind.id, [...new Set(problems)]);
}
