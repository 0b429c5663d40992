import type { CatalogActionField, InstanceMapping, MappingsValidation } from '@manifold/destination-kit';
import { settingSecrets, type SettingSecrets } from '@manifold/secrets';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { jsonSchemaErrorInWords } from '@manifold/validation-messages';
import type { FieldViolation } from './errors';

/** JSON Schema of a destination's settings; `secret` on a property marks a credential (see `settingSecrets`). */
export type SettingsJsonSchema = object;

/** One destination type, as the translators (or the warehouse loader) define it in code. */
export interface CatalogEntryDefinition {
  id: string;
  name: string;
  description: string;
  categories: string[];
  settingsSchema: SettingsJsonSchema;
  supportedCallTypes: string[];
  warehouse: boolean;
  /** The scopes of an OAuth connection, when instances can connect with OAuth. */
  oauthScopes?: string[];
  /** Destinations (not warehouses): their presets, and the check of an instance's mappings. */
  mappings?: MappingRules;
  /** Destinations (not warehouses): the actions mappings can run, with their fields. */
  actions?: CatalogActionDefinition[];
}

/** An action of a destination type, as the catalog shows it for editing mappings. */
export interface CatalogActionDefinition {
  id: string;
  title: string;
  description: string;
  fields: CatalogActionField[];
}

/** What the control plane needs of a destination type to store its instances' mappings. */
export interface MappingRules {
  presets(): InstanceMapping[];
  /** Every problem with its path from `mappings` (`mappings[0].fields.event`). */
  validate(raw: unknown): MappingsValidation;
}

interface CompiledEntry {
  entry: CatalogEntryDefinition;
  validate: ValidateFunction;
  secrets: SettingSecrets;
  /** The settings the entry defines, named when a setting it does not define is given. */
  settingNames: string[];
}

/**
 * The schema a destination's settings are checked against: its own, closed at the top level
 * unless it says otherwise. Translators read settings through their own schemas, which drop what
 * they do not know, so a misspelt setting would be stored and silently never used.
 */
function closedAtTopLevel(schema: SettingsJsonSchema): SettingsJsonSchema {
  const s = schema as { properties?: unknown; additionalProperties?: unknown; patternProperties?: unknown };
  if (!s.properties || s.additionalProperties !== undefined || s.patternProperties !== undefined) return schema;
  return { ...schema, additionalProperties: false };
}

/** The catalog, built once from the definitions in code, with settings validators compiled. */
export class Catalog {
  private readonly entries = new Map<string, CompiledEntry>();

  constructor(definitions: readonly CatalogEntryDefinition[]) {
    // Draft 2020-12 (what zod emits); strict: false lets schemas carry our own keywords
    // (secret) and UI hints.
    const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
    addFormats.default(ajv);
    for (const entry of definitions) {
      if (this.entries.has(entry.id)) throw new Error(`duplicate catalog id ${entry.id}`);
      const properties = (entry.settingsSchema as { properties?: Record<string, unknown> }).properties;
      this.entries.set(entry.id, {
        entry,
        validate: ajv.compile(closedAtTopLevel(entry.settingsSchema)),
        secrets: settingSecrets(entry.settingsSchema),
        settingNames: Object.keys(properties ?? {}),
      });
    }
  }

  list(): CatalogEntryDefinition[] {
    return [...this.entries.values()].map((e) => e.entry);
  }

  get(id: string): CatalogEntryDefinition | undefined {
    return this.entries.get(id)?.entry;
  }

  /** The settings of an entry that hold credentials, and how: what is sealed at rest and masked in reads. */
  secrets(id: string): SettingSecrets {
    return this.entries.get(id)?.secrets ?? {};
  }

  /** Validates (and fills defaults into) settings; returns every violation, named settings.<field>. */
  validateSettings(id: string, settings: Record<string, unknown>): FieldViolation[] {
    const compiled = this.entries.get(id);
    if (!compiled) return [{ field: 'catalog_id', message: `unknown catalog entry ${JSON.stringify(id)}` }];
    if (compiled.validate(settings)) return [];
    return (compiled.validate.errors ?? []).map((error) => toViolation(error, compiled.settingNames));
  }
}

/** Refused mappings as the API names them: `mappings[i].fields.<field>...` */
export function mappingViolations(validation: MappingsValidation): FieldViolation[] {
  return validation.ok ? [] : validation.problems.map((p) => ({ field: p.path, message: p.message }));
}

function toViolation(error: ErrorObject, settingNames: readonly string[]): FieldViolation {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String(error.params['missingProperty']));
  if (error.keyword === 'additionalProperties') path.push(String(error.params['additionalProperty']));
  const field = ['settings', ...path].join('.');
  const message =
    error.keyword === 'required'
      ? 'is required'
      : error.keyword === 'additionalProperties'
        ? path.length === 1
          ? `is not a setting of this destination (its settings: ${settingNames.join(', ')})`
          : 'is not a field of this setting'
        : jsonSchemaErrorInWords(error);
  return { field, message };
}
