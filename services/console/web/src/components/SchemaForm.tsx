import type { CatalogEntry } from '../../../src/api/types';
import { FormField } from './FormField';

/** The part of JSON Schema that catalog settings use. */
export interface SettingsFormSchema {
  type?: string;
  required?: string[];
  properties?: Record<string, SettingsFormProperty>;
}

export interface SettingsFormProperty {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
}

export type SettingsValues = Record<string, unknown>;

function typeOf(property: SettingsFormProperty): string {
  return Array.isArray(property.type)
    ? (property.type.find((t) => t !== 'null') ?? 'string')
    : (property.type ?? 'string');
}

function humanize(name: string): string {
  return name
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase());
}

/** Values to start a form with: the schema's defaults. */
export function defaultSettings(schema: SettingsFormSchema): SettingsValues {
  const values: SettingsValues = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.default !== undefined) values[name] = property.default;
  }
  return values;
}

/**
 * A settings form generated from a catalog entry's schema. Settings whose whole value is a
 * credential (as the catalog entry's `secrets` says: the server decides it, never the form) are
 * password fields; objects and arrays are edited as JSON. `errorFor(name)` gives the server's
 * message for a field.
 */
export function SchemaForm(props: {
  idPrefix: string;
  schema: SettingsFormSchema;
  secrets: CatalogEntry['secrets'];
  values: SettingsValues;
  onChange(values: SettingsValues): void;
  errorFor(name: string): string | undefined;
  disabled?: boolean;
}) {
  const required = new Set(props.schema.required ?? []);
  const set = (name: string, value: unknown) => {
    const next = { ...props.values };
    if (value === undefined || value === '') delete next[name];
    else next[name] = value;
    props.onChange(next);
  };
  return (
    <div className="schema-form">
      {Object.entries(props.schema.properties ?? {}).map(([name, property]) => {
        const id = `${props.idPrefix}-${name}`;
        const type = typeOf(property);
        const value = props.values[name];
        const label = `${property.title ?? humanize(name)}${required.has(name) ? ' *' : ''}`;
        let control;
        if (property.enum) {
          control = (
            <select
              id={id}
              name={name}
              value={value === undefined ? '' : String(value)}
              disabled={props.disabled}
              onChange={(e) => set(name, e.target.value)}
            >
              {required.has(name) ? null : <option value="">—</option>}
              {property.enum.map((option) => (
                <option key={String(option)} value={String(option)}>
                  {String(option)}
                </option>
              ))}
            </select>
          );
        } else if (type === 'boolean') {
          control = (
            <input
              id={id}
              name={name}
              type="checkbox"
              checked={value === true}
              disabled={props.disabled}
              onChange={(e) => set(name, e.target.checked)}
            />
          );
        } else if (type === 'number' || type === 'integer') {
          control = (
            <input
              id={id}
              name={name}
              type="number"
              step={type === 'integer' ? 1 : 'any'}
              value={value === undefined ? '' : String(value)}
              disabled={props.disabled}
              onChange={(e) => set(name, e.target.value === '' ? undefined : Number(e.target.value))}
            />
          );
        } else if (type === 'object' || type === 'array') {
          control = (
            <textarea
              id={id}
              name={name}
              rows={3}
              defaultValue={value === undefined ? '' : JSON.stringify(value, null, 2)}
              disabled={props.disabled}
              onBlur={(e) => {
                try {
                  set(name, e.target.value.trim() ? JSON.parse(e.target.value) : undefined);
                } catch {
                  set(name, e.target.value);
                }
              }}
            />
          );
        } else {
          control = (
            <input
              id={id}
              name={name}
              type={props.secrets[name] === 'whole' ? 'password' : 'text'}
              autoComplete={props.secrets[name] === 'whole' ? 'new-password' : 'off'}
              value={value === undefined ? '' : String(value)}
              disabled={props.disabled}
              onChange={(e) => set(name, e.target.value)}
            />
          );
        }
        return (
          <FormField key={name} label={label} htmlFor={id} error={props.errorFor(name)} hint={property.description}>
            {control}
          </FormField>
        );
      })}
    </div>
  );
}
