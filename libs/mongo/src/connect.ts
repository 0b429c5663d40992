import { MongoClient, type Db } from 'mongodb';
import type { Logger } from '@manifold/logger';
import { MongoUnavailableError } from './errors';

export interface ConnectMongoOptions {
  /** mongodb:// URL; its path names the database unless `database` is given. */
  url: string;
  database?: string;
  appName: string;
  logger: Logger;
  /** How long to wait for a server before failing (ms). */
  serverSelectionTimeoutMs?: number;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  /** Round trip to the server; throws MongoUnavailableError when it does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to MongoDB (FerretDB locally) and proves the connection with a ping.
 *
 * Production runs real MongoDB and local runs FerretDB 1.24, so callers keep to what both
 * support: CRUD, unique indexes and simple aggregations; no transactions, change streams or TTL.
 */
export async function connectMongo(options: ConnectMongoOptions): Promise<MongoConnection> {
  const database = options.database ?? (databaseFromUrl(options.url) || 'manifold');
  const client = new MongoClient(options.url, {
    appName: options.appName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
    // FerretDB reports a standalone server without sessions support for retryable writes.
    retryWrites: false,
  });
  const where = redact(options.url);
  const ping = async (): Promise<void> => {
    try {
      await client.db('admin').command({ ping: 1 });
    } catch (error) {
      throw new MongoUnavailableError(`MongoDB is not reachable at ${where}`, error);
    }
  };
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new MongoUnavailableError(`MongoDB is not reachable at ${where}`, error);
  }
  await ping();
  options.logger.info({ url: where, database }, 'connected to MongoDB');
  return { client, db: client.db(database), ping, close: () => client.close() };
}

/**
 * The database named in a connection string's path. Read with a pattern, not URL parsing:
 * replica-set strings name several hosts, which a WHATWG URL cannot hold.
 */
export function databaseFromUrl(url: string): string {
  return /^mongodb(?:\+srv)?:\/\/[^/?#]+\/([^?#]*)/.exec(url)?.[1] ?? '';
}

/** Drops the password from a connection string so it can be logged. */
function redact(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
