import { digest, randomSecret } from '../auth/tokens';
import type { ConsoleCollections } from './collections';

export interface Session {
  email: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Browser sessions; the cookie holds a random id and the database only its hash. */
export class SessionStore {
  constructor(
    private readonly collections: ConsoleCollections,
    private readonly ttlMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(email: string): Promise<{ id: string; session: Session }> {
    const id = randomSecret();
    const createdAt = this.now();
    const session: Session = {
      email,
      csrfToken: randomSecret(),
      expiresAt: new Date(createdAt.getTime() + this.ttlMs),
    };
    await this.collections.sessions.insertOne({ idHash: digest(id), createdAt, ...session });
    // No TTL index on FerretDB: expired sessions are swept when new ones start.
    await this.collections.sessions.deleteMany({ expiresAt: { $lt: createdAt } });
    return { id, session };
  }

  async find(id: string): Promise<Session | undefined> {
    const found = await this.collections.sessions.findOne({ idHash: digest(id) });
    if (!found) return undefined;
    if (found.expiresAt.getTime() <= this.now().getTime()) {
      await this.collections.sessions.deleteOne({ idHash: found.idHash });
      return undefined;
    }
    return { email: found.email, csrfToken: found.csrfToken, expiresAt: found.expiresAt };
  }

  async delete(id: string): Promise<void> {
    await this.collections.sessions.deleteOne({ idHash: digest(id) });
  }
}
