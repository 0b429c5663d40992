import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;

/** Reads a 256-bit key given as base64; throws a message that says how to make one. */
export function parseKey(base64Key: string): Buffer {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length !== KEY_BYTES) throw new Error('a key must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  return key;
}

/**
 * A 256-bit key for one purpose, derived (HKDF-SHA256) from a secret the process already has,
 * so that one secret can key several things without one key revealing another.
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'manifold', purpose, KEY_BYTES));
}

/**
 * Seals strings with AES-256-GCM (authenticated: a wrong key or a changed byte fails to open,
 * never yields garbage). Sealed text is `enc:v1:<iv>:<tag>:<data>`, base64 parts.
 */
export class SecretBox {
  private readonly key: Buffer;
  /** A short fingerprint of the key (not of anything it sealed): tells which key sealed a file. */
  readonly keyId: string;

  constructor(key: string | Buffer) {
    this.key = typeof key === 'string' ? parseKey(key) : Buffer.from(key);
    if (this.key.length !== KEY_BYTES) throw new Error('a key must be 32 bytes');
    this.keyId = createHash('sha256').update('manifold key id').update(this.key).digest('hex').slice(0, 16);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
  }

  /** The plain text of a sealed string; text that was never sealed (stored before encryption) as is. */
  open(sealed: string): string {
    if (!SecretBox.isSealed(sealed)) return sealed;
    const [iv, tag, data] = sealed.slice(PREFIX.length).split(':');
    if (!iv || !tag || data === undefined) throw new Error('malformed encrypted value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}
