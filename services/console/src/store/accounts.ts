import { isDuplicateKeyError } from '@manifold/mongo';
import { hashPassword, verifyPassword } from '../auth/password';
import type { AccountDocument, ConsoleCollections } from './collections';

export class AccountExistsError extends Error {
  constructor(email: string) {
    super(`an account for ${email} already exists`);
    this.name = 'AccountExistsError';
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Local accounts: an email and a scrypt password hash. */
export class AccountStore {
  constructor(private readonly collections: ConsoleCollections) {}

  async count(): Promise<number> {
    return this.collections.accounts.countDocuments();
  }

  /** Claims the first-run setup for one caller; false when it has been claimed (or done) already. */
  async claimFirstRun(email: string): Promise<boolean> {
    if ((await this.count()) > 0) return false;
    try {
      await this.collections.firstRun.insertOne({ key: 'first-owner', email: normalizeEmail(email), at: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Gives the claim back when the setup failed half-way, so it can be tried again. */
  async releaseFirstRun(): Promise<void> {
    await this.collections.firstRun.deleteOne({ key: 'first-owner' });
  }

  async firstRunDone(): Promise<boolean> {
    return (await this.collections.firstRun.countDocuments()) > 0 || (await this.count()) > 0;
  }

  async exists(email: string): Promise<boolean> {
    return (await this.collections.accounts.countDocuments({ email: normalizeEmail(email) })) > 0;
  }

  async create(email: string, password: string): Promise<void> {
    const account: AccountDocument = {
      email: normalizeEmail(email),
      passwordHash: await hashPassword(password),
      createdAt: new Date(),
    };
    try {
      await this.collections.accounts.insertOne(account);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new AccountExistsError(account.email);
      throw error;
    }
  }

  /** The normalized email when the password matches, else undefined (no hint which part was wrong). */
  async verify(email: string, password: string): Promise<string | undefined> {
    const account = await this.collections.accounts.findOne({ email: normalizeEmail(email) });
    if (!account) {
      // Spend the same time as a real check so response times do not reveal which emails exist.
      await hashPassword(password);
      return undefined;
    }
    return (await verifyPassword(password, account.passwordHash)) ? account.email : undefined;
  }
}
