import type { Logger } from '@manifold/logger';
import { settingSecrets, type SettingSecrets } from '@manifold/secrets';
import { z } from 'zod';
import type { WarehouseEngine } from '../engines/engine';

/** What the loader needs of every warehouse's settings, whatever its kind. */
export interface EngineSettings {
  /** Longer strings (and JSON of arrays) are cut to this many characters. */
  maxStringLength: number;
  /** A load starts before the sync interval once this many events wait. */
  batchSize: number;
}

/** A warehouse kind's settings: a zod object that gives at least the settings every load needs. */
export type WarehouseSettingsSchema = z.ZodType<EngineSettings>;

/**
 * One kind of warehouse, declared like a destination: its settings in zod (credentials marked
 * with `secret()`), and how to open its engine from settings that parsed. The catalog's JSON
 * Schema and the list of credentials are derived from `settings`, never written by hand.
 */
export interface WarehouseDefinition<S extends WarehouseSettingsSchema = WarehouseSettingsSchema> {
  id: string;
  name: string;
  description: string;
  settings: S;
  /** The engine for these settings; connections are made lazily, so this does no I/O. */
  open(settings: z.output<S>, logger: Logger): WarehouseEngine;
}

/** Identity helper that lets TypeScript type `open`'s settings from the schema. */
export function defineWarehouse<S extends WarehouseSettingsSchema>(
  definition: WarehouseDefinition<S>,
): WarehouseDefinition<S> {
  return definition;
}

/** The settings every kind has, spread into each kind's settings object. */
export const engineSettingsShape = {
  maxStringLength: z.int().min(16).max(65535).default(512).meta({
    title: 'Longest text value',
    description: 'Longer strings (and JSON of arrays) are cut to this many characters, as Segment does at 512.',
  }),
  batchSize: z.int().min(1).max(1000000).default(20000).meta({
    title: 'Load early after this many events',
    description: 'A load starts before the sync interval once this many events are waiting.',
  }),
};

/**
 * Settings that need one of several groups of settings (a connection URL, or host + user +
 * database): checked by zod, and written into the JSON Schema as `anyOf` so the control plane's
 * validator refuses the same settings the loader would.
 */
export function requireOneGroupOf<T extends z.ZodObject>(schema: T, groups: readonly (readonly string[])[]): T {
  const message = `settings need ${groups.map((group) => group.join(' + ')).join(', or ')}`;
  const given = (value: unknown, key: string): boolean =>
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[key] !== undefined;
  return schema
    .refine((value) => groups.some((group) => group.every((key) => given(value, key))), {
      message,
      // Checked even when other settings are wrong, so every problem is listed at once.
      when: () => true,
    })
    .meta({ anyOf: groups.map((group) => ({ required: [...group] })) }) as T;
}

/** The JSON Schema (draft 2020-12, as the destinations') of a kind's settings, as the user fills them in. */
export function warehouseSettingsJsonSchema(definition: WarehouseDefinition): Record<string, unknown> {
  return z.toJSONSchema(definition.settings, { io: 'input' }) as Record<string, unknown>;
}

/** The settings of a kind that hold credentials, and how (see `settingSecrets`). */
export function warehouseSecrets(definition: WarehouseDefinition): SettingSecrets {
  return settingSecrets(warehouseSettingsJsonSchema(definition));
}
