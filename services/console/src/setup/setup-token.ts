import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The operator's setup token (CONSOLE_SETUP_TOKEN), which first-run setup asks for. Only its
 * SHA-256 is kept, so the token itself is in no object a log, an error or a debugger could show;
 * a given token is compared by its SHA-256 too, in constant time, so neither its content nor its
 * length shows in how long the answer takes.
 */
export class SetupToken {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = sha256(token);
  }

  /** Whether `given` (anything a request body held) is the token. */
  matches(given: unknown): boolean {
    return typeof given === 'string' && timingSafeEqual(sha256(given), this.digest);
  }

  toJSON(): string {
    return '(setup token)';
  }
}
