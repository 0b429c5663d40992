import { isDuplicateKeyError } from '@manifold/mongo';
import type { ConsoleCollections } from './collections';
import { normalizeEmail } from './accounts';

export interface LockoutPolicy {
  /** Wrong passwords within `lockMs` that lock the email. */
  maxFailures: number;
  /** How long a lock lasts; also the period wrong passwords are counted in. */
  lockMs: number;
}

/**
 * Locks an email after too many wrong passwords from any address. Kept in MongoDB, so every
 * console replica sees the same count. Emails without an account are counted and locked the same
 * way, so a lock tells a guesser nothing about which emails have accounts.
 *
 * Each wrong password is its own document and a lock is a unique _id: inserts are exact under
 * concurrency in MongoDB and FerretDB alike, where FerretDB's read-modify-write updates are not.
 */
export class SignInFailureStore {
  constructor(
    private readonly collections: ConsoleCollections,
    private readonly policy: LockoutPolicy,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** When the email is locked: until when. */
  async lockedUntil(email: string): Promise<Date | undefined> {
    const lock = await this.collections.signInLocks.findOne({ _id: normalizeEmail(email) });
    return lock && lock.lockedUntil.getTime() > this.now().getTime() ? lock.lockedUntil : undefined;
  }

  /** Counts a wrong password; returns the lock when this one locked the email (only one failure does). */
  async recordFailure(rawEmail: string): Promise<{ lockedUntil: Date } | undefined> {
    const email = normalizeEmail(rawEmail);
    const now = this.now();
    const periodStart = new Date(now.getTime() - this.policy.lockMs);
    const { signInFailures: failures, signInLocks: locks } = this.collections;
    await failures.insertOne({ email, at: now });
    // No TTL index on FerretDB: failures past the period are swept as new ones come.
    await failures.deleteMany({ at: { $lt: periodStart } });
    if ((await failures.countDocuments({ email, at: { $gt: periodStart } })) < this.policy.maxFailures)
      return undefined;
    const lockedUntil = new Date(now.getTime() + this.policy.lockMs);
    await locks.deleteOne({ _id: email, lockedUntil: { $lte: now } });
    try {
      await locks.insertOne({ _id: email, lockedUntil });
    } catch (error) {
      if (isDuplicateKeyError(error)) return undefined;
      throw error;
    }
    // The count starts again with the lock, so its end does not lock again at the next wrong password.
    await failures.deleteMany({ email, at: { $lte: now } });
    return { lockedUntil };
  }

  /** A right password clears the email's count. */
  async clear(email: string): Promise<void> {
    await this.collections.signInFailures.deleteMany({ email: normalizeEmail(email) });
    await this.collections.signInLocks.deleteMany({ lockedUntil: { $lte: this.now() } });
  }
}
