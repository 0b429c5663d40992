import { isPlainObject } from '@manifold/json';
import { SecretBox } from './cipher';
import type { SecretKind, SettingSecrets } from './kinds';
import { SECRET_MASK, SecretMasker } from './masker';
import { maskUrlSetting, urlCredentials } from './url';

export type Settings = Record<string, unknown>;

const URL_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Settings with every credential sealed: what is stored at rest. Other settings as given. */
export function sealSettings(settings: Settings, secrets: SettingSecrets, box: SecretBox): Settings {
  return mapSecrets(settings, secrets, (value) => (SecretBox.isSealed(value) ? value : box.seal(value)));
}

/** Stored settings in clear (values stored before they were encrypted are returned as they are). */
export function openSettings(settings: Settings, secrets: SettingSecrets, box: SecretBox): Settings {
  return mapSecrets(settings, secrets, (value) => box.open(value));
}

export interface ReadableSettings {
  settings: Settings;
  /** Credentials (`name`, or `name.key` of secret values) that could not be opened, and are left out of `settings`. */
  unreadable: string[];
}

/**
 * Stored settings in clear, leaving out each credential that cannot be opened (sealed with
 * another key, as in a database restored under another CONTROL_PLANE_SECRET_KEY, or malformed):
 * what an update starts from, so that sending such a credential again repairs the settings.
 */
export function openReadableSettings(settings: Settings, secrets: SettingSecrets, box: SecretBox): ReadableSettings {
  const unreadable: string[] = [];
  const opened = mapSecrets(settings, secrets, (value, name) => {
    try {
      return box.open(value);
    } catch {
      unreadable.push(name);
      return undefined;
    }
  });
  return { settings: opened, unreadable };
}

/** True when a credential of these stored settings is not sealed (stored before it was declared one). */
export function hasUnsealedSecrets(settings: Settings, secrets: SettingSecrets): boolean {
  let unsealed = false;
  mapSecrets(settings, secrets, (value) => {
    if (value !== '' && !SecretBox.isSealed(value)) unsealed = true;
    return value;
  });
  return unsealed;
}

/** Settings as every read shows them: whole secrets and secret values as the mask, URLs with their credentials masked. */
export function maskSettings(settings: Settings, secrets: SettingSecrets): Settings {
  const out: Settings = { ...settings };
  for (const [name, kind] of Object.entries(secrets)) {
    const value = out[name];
    if (value === undefined || value === null || value === '') continue;
    // A URL still sealed (it could not be opened) is shown as the mask, not parsed.
    if (kind === 'url' && typeof value === 'string' && !SecretBox.isSealed(value)) out[name] = maskUrlSetting(value);
    else if (kind === 'values' && isPlainObject(value)) {
      out[name] = Object.fromEntries(Object.keys(value).map((key) => [key, SECRET_MASK]));
    } else out[name] = SECRET_MASK;
  }
  return out;
}

/** Masks every credential of these settings (in clear) wherever it appears in requests, records or messages. */
export function settingsMasker(settings: Settings, secrets: SettingSecrets): SecretMasker {
  const whole: string[] = [];
  const urlParts: string[] = [];
  for (const [name, kind] of Object.entries(secrets)) {
    const value = settings[name];
    if (kind === 'url' && typeof value === 'string') urlParts.push(...urlCredentials(value));
    else if (kind === 'values' && isPlainObject(value)) {
      // A header value such as `Bearer <token>`: the token alone is a secret too.
      for (const v of Object.values(value)) if (typeof v === 'string') whole.push(v, ...tokensOf(v));
    } else if (typeof value === 'string') {
      whole.push(value);
      // A URL held whole (a warehouse's connection URL): an error may quote one of its parts
      // alone (`role "…" does not exist`), so its credential parts are masked too.
      if (URL_WITH_SCHEME.test(value)) urlParts.push(...urlCredentials(value));
    }
  }
  return new SecretMasker(whole, urlParts);
}

export interface MergedSettings {
  settings: Settings;
  /** Settings (`name` or `name.key`) sent as masked with no saved value to keep: a client error. */
  unresolved: string[];
}

/**
 * Applies an update to settings in clear. A credential sent back exactly as a read shows it (a
 * form that was read and re-submitted) keeps the saved value, per key for secret values; null
 * removes a setting. A masked value with nothing saved behind it is reported, never stored.
 * With `stored` empty this checks new settings (nothing masked may be created).
 */
export function mergeSettingsUpdate(stored: Settings, update: Settings, secrets: SettingSecrets): MergedSettings {
  const settings: Settings = { ...stored };
  const unresolved: string[] = [];
  for (const [name, value] of Object.entries(update)) {
    const kind = secrets[name];
    const saved = stored[name];
    if (value === null) {
      delete settings[name];
    } else if (kind === 'values' && isPlainObject(value)) {
      const merged: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        if (v !== SECRET_MASK) merged[key] = v;
        else if (isPlainObject(saved) && typeof saved[key] === 'string') merged[key] = saved[key];
        else unresolved.push(`${name}.${key}`);
      }
      settings[name] = merged;
    } else if (kind !== undefined && typeof value === 'string' && isMasked(value, kind)) {
      const shown = saved === undefined ? undefined : maskSettings({ [name]: saved }, { [name]: kind })[name];
      if (value === shown) settings[name] = saved;
      else unresolved.push(name);
    } else {
      settings[name] = value;
    }
  }
  return { settings, unresolved };
}

/** The long words of a value (`Bearer abc…` → `abc…`): credentials inside a header value. */
function tokensOf(value: string): string[] {
  return value.split(/[\s,;]+/).filter((word) => word.length >= 8 && word !== value);
}

/**
 * Applies `fn` to every credential string of the settings (each value of a `values` object),
 * named as `name` or `name.key`; a credential for which it returns undefined is left out.
 */
function mapSecrets(
  settings: Settings,
  secrets: SettingSecrets,
  fn: (value: string, name: string) => string | undefined,
): Settings {
  const out: Settings = { ...settings };
  for (const [name, kind] of Object.entries(secrets)) {
    const value = out[name];
    if (kind === 'values' && isPlainObject(value)) {
      const mapped: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        const result = typeof v === 'string' && v !== '' ? fn(v, `${name}.${key}`) : v;
        if (result !== undefined) mapped[key] = result;
      }
      out[name] = mapped;
    } else if (typeof value === 'string' && value !== '') {
      const result = fn(value, name);
      if (result === undefined) delete out[name];
      else out[name] = result;
    }
  }
  return out;
}

/** A whole secret is masked when it is the mask; a URL when any part of it is. */
function isMasked(value: string, kind: SecretKind): boolean {
  return kind === 'url' ? value.includes(SECRET_MASK) : value === SECRET_MASK;
}
