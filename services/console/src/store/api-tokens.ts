import { API_TOKEN_PREFIX, digest, randomSecret } from '../auth/tokens';
import type { ConsoleCollections } from './collections';

export interface ApiTokenSummary {
  id: string;
  name: string;
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
}

/** Bearer tokens for the Public API; each acts as the user who made it, with that user's roles. */
export class ApiTokenStore {
  constructor(private readonly collections: ConsoleCollections) {}

  /** The token itself is returned once, here, and never stored. */
  async create(email: string, name: string): Promise<{ token: string; summary: ApiTokenSummary }> {
    const token = API_TOKEN_PREFIX + randomSecret();
    const document = {
      id: randomSecret(9),
      tokenHash: digest(token),
      email,
      name,
      hint: token.slice(0, API_TOKEN_PREFIX.length + 4),
      createdAt: new Date(),
    };
    await this.collections.apiTokens.insertOne(document);
    return { token, summary: { ...summarize(document) } };
  }

  async list(email: string): Promise<ApiTokenSummary[]> {
    const tokens = await this.collections.apiTokens.find({ email }, { sort: { createdAt: 1 } }).toArray();
    return tokens.map(summarize);
  }

  /** True when the token existed and belonged to this user. */
  async revoke(email: string, id: string): Promise<boolean> {
    const result = await this.collections.apiTokens.deleteOne({ email, id });
    return result.deletedCount === 1;
  }

  /** The email of the token's owner, or undefined for an unknown token. */
  async authenticate(token: string): Promise<string | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const found = await this.collections.apiTokens.findOneAndUpdate(
      { tokenHash: digest(token) },
      { $set: { lastUsedAt: new Date() } },
    );
    return found?.email;
  }
}

function summarize(document: {
  id: string;
  name: string;
  hint: string;
  createdAt: Date;
  lastUsedAt?: Date;
}): ApiTokenSummary {
  return {
    id: document.id,
    name: document.name,
    hint: document.hint,
    createdAt: document.createdAt,
    lastUsedAt: document.lastUsedAt,
  };
}
