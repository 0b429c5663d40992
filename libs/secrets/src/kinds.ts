/**
 * How a setting holds credentials:
 * - `whole`: the value is a secret (an API key): stored encrypted, read back as the mask.
 * - `values`: an object whose values are secrets, its keys not (custom headers such as
 *   `Authorization: Bearer …`): each value stored encrypted and read back as the mask.
 * - `url`: a URL that may carry credentials (userinfo, query values, tokens in its path, as
 *   Slack's or Discord's webhook URLs do): stored encrypted, read back with those parts masked.
 */
export type SecretKind = 'whole' | 'values' | 'url';

/** The settings of one destination or warehouse type that hold credentials, and how. */
export type SettingSecrets = Readonly<Record<string, SecretKind>>;

/**
 * Which settings hold credentials, read from the settings' JSON Schema: the one place this is
 * decided, for destinations, warehouses and the control plane alike.
 *
 * A property marks itself with `"secret": true` (whole), `"secret": "values"` or
 * `"secret": "url"`; a string property with `"format": "uri"` and no marker is a `url`, so every
 * URL setting of every destination is covered without each having to remember it.
 */
export function settingSecrets(settingsSchema: unknown): SettingSecrets {
  const properties = propertiesOf(settingsSchema);
  const secrets: Record<string, SecretKind> = {};
  for (const [name, property] of Object.entries(properties)) {
    const kind = kindOf(property);
    if (kind) secrets[name] = kind;
  }
  return secrets;
}

function kindOf(property: unknown): SecretKind | undefined {
  if (typeof property !== 'object' || property === null) return undefined;
  const { secret, format, type } = property as { secret?: unknown; format?: unknown; type?: unknown };
  if (secret === true) return 'whole';
  if (secret === 'values' || secret === 'url') return secret;
  const isString = type === 'string' || (Array.isArray(type) && type.includes('string'));
  if (secret === undefined && isString && (format === 'uri' || format === 'url')) return 'url';
  return undefined;
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  if (typeof schema !== 'object' || schema === null) return {};
  const properties = (schema as { properties?: unknown }).properties;
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {};
}
