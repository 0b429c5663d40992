import { Client } from 'pg';
import { KafkaClient } from '@manifold/kafka';
import { connectMongo } from '@manifold/mongo';
import { INFRA_VARIABLES } from './infrastructure';
import { testLogger } from './test-logger';

/** A service the tests need is not there; the message names it and where it was looked for. */
export class MissingServiceError extends Error {
  constructor(service: string, variable: string, where: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${service} is not available at ${where} (${variable}): ${reason}. ` +
        `Start it with \`pnpm infra:up\`, or point ${variable} at a running instance.`,
    );
    this.name = 'MissingServiceError';
  }
}

const quietLogger = testLogger('test-probe');

export async function requireKafka(brokers: string[]): Promise<void> {
  const client = new KafkaClient({ brokers, clientId: 'test-probe', logger: quietLogger, connectionTimeoutMs: 1500 });
  try {
    await client.ping();
  } catch (error) {
    throw new MissingServiceError('Kafka', INFRA_VARIABLES.kafka, brokers.join(','), error);
  } finally {
    await client.disconnect().catch(() => undefined);
  }
}

export async function requireMongo(url: string): Promise<void> {
  try {
    const connection = await connectMongo({
      url,
      appName: 'test-probe',
      logger: quietLogger,
      serverSelectionTimeoutMs: 1500,
    });
    await connection.close();
  } catch (error) {
    throw new MissingServiceError('MongoDB (FerretDB locally)', INFRA_VARIABLES.mongo, url, error);
  }
}

export async function requirePostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new MissingServiceError('PostgreSQL (warehouse)', INFRA_VARIABLES.postgres, url, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
