import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What every read shows in place of a secret setting. */
export const SECRET_MASK = '********';
const PREFIX = 'enc:v1:';

/**
 * Encrypts secret settings at rest with AES-256-GCM. The key comes from configuration
 * (CONTROL_PLANE_SECRET_KEY, 32 bytes in base64); a stolen database alone reveals no secret.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes, base64-encoded');
    this.key = key;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) return sealed;
    const [iv, tag, data] = sealed.slice(PREFIX.length).split(':');
    if (!iv || !tag || data === undefined) throw new Error('malformed encrypted setting');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}

export type Settings = Record<string, unknown>;

/** Seals the listed secret fields; other fields are stored as given. */
export function sealSecrets(settings: Settings, secretFields: readonly string[], box: SecretBox): Settings {
  const out: Settings = { ...settings };
  for (const field of secretFields) {
    const value = out[field];
    if (typeof value === 'string' && value !== '') out[field] = box.seal(value);
  }
  return out;
}

export function openSecrets(settings: Settings, secretFields: readonly string[], box: SecretBox): Settings {
  const out: Settings = { ...settings };
  for (const field of secretFields) {
    const value = out[field];
    if (typeof value === 'string') out[field] = box.open(value);
  }
  return out;
}

export function maskSecrets(settings: Settings, secretFields: readonly string[]): Settings {
  const out: Settings = { ...settings };
  for (const field of secretFields) {
    if (typeof out[field] === 'string' && out[field] !== '') out[field] = SECRET_MASK;
  }
  return out;
}

/**
 * Applies an update to stored settings: a secret sent back as the mask (as a form that was
 * read and re-submitted does) keeps the stored value; null removes a field.
 */
export function mergeSettingsUpdate(stored: Settings, update: Settings, secretFields: readonly string[]): Settings {
  const out: Settings = { ...stored };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete out[key];
    else if (secretFields.includes(key) && value === SECRET_MASK) continue;
    else out[key] = value;
  }
  return out;
}
