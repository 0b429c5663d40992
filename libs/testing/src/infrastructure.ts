/**
 * Where the tests' Kafka, MongoDB-wire database and warehouse PostgreSQL are. The Jest global
 * setup (provision.ts) fills these variables before any test runs.
 */
export interface TestInfrastructure {
  kafkaBrokers: string[];
  mongoUrl: string;
  warehousePostgresUrl: string;
}

export const INFRA_VARIABLES = {
  kafka: 'KAFKA_BROKERS',
  mongo: 'MONGO_URL',
  postgres: 'WAREHOUSE_POSTGRES_URL',
} as const;

export function testInfrastructure(env: NodeJS.ProcessEnv = process.env): TestInfrastructure {
  const missing = Object.values(INFRA_VARIABLES).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set: run the tests with \`pnpm test\`, whose setup provides Kafka, MongoDB and PostgreSQL`,
    );
  }
  return {
    kafkaBrokers: (env[INFRA_VARIABLES.kafka] ?? '').split(',').map((b) => b.trim()),
    mongoUrl: env[INFRA_VARIABLES.mongo] ?? '',
    warehousePostgresUrl: env[INFRA_VARIABLES.postgres] ?? '',
  };
}
