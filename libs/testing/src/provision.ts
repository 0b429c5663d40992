import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { INFRA_VARIABLES } from './infrastructure';

// This module runs in Jest's global setup, outside the test workers' module mapping, so it
// imports no @manifold package: it only starts services and names them in the environment.

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');

type Service = keyof typeof INFRA_VARIABLES;

export interface Provisioned {
  how: Record<Service, 'environment' | 'testcontainers' | 'local scripts'>;
  stop(): Promise<void>;
}

/**
 * Gives the tests real infrastructure, in this order of preference:
 *   1. services named by KAFKA_BROKERS, MONGO_URL, WAREHOUSE_POSTGRES_URL;
 *   2. containers, when a Docker engine answers (testcontainers);
 *   3. deploy/local/infra.sh, which provisions and starts them without Docker.
 * MANIFOLD_TEST_INFRA=local or =testcontainers forces the second or third path.
 */
export async function provisionInfrastructure(env: NodeJS.ProcessEnv = process.env): Promise<Provisioned> {
  const services = Object.keys(INFRA_VARIABLES) as Service[];
  const missing = services.filter((s) => !env[INFRA_VARIABLES[s]]);
  const how = Object.fromEntries(services.map((s) => [s, 'environment'])) as Provisioned['how'];
  if (missing.length === 0) return { how, stop: async () => undefined };

  const forced = env['MANIFOLD_TEST_INFRA'];
  const useContainers = forced === 'testcontainers' || (forced !== 'local' && (await dockerEngineAnswers()));
  if (useContainers) {
    const stop = await startContainers(missing, env);
    for (const s of missing) how[s] = 'testcontainers';
    return { how, stop };
  }
  await startLocal(missing, env);
  for (const s of missing) how[s] = 'local scripts';
  // Local services are left running for the next run; `pnpm infra:down` stops them.
  return { how, stop: async () => undefined };
}

async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startLocal(services: Service[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run('bash', [resolve(repoRoot, 'deploy/local/infra.sh'), 'up', ...services.map(localName)], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`starting local infrastructure (${services.join(', ')}) failed:\n${e.stderr ?? e.message}`);
  }
  const kafkaPort = env['KAFKA_PORT'] ?? '9092';
  const mongoPort = env['FERRETDB_PORT'] ?? '27017';
  const pgPort = env['WAREHOUSE_POSTGRES_PORT'] ?? '5433';
  const urls: Record<Service, string> = {
    kafka: `127.0.0.1:${kafkaPort}`,
    mongo: `mongodb://127.0.0.1:${mongoPort}/`,
    postgres: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
  };
  for (const s of services) env[INFRA_VARIABLES[s]] = urls[s];
}

function localName(service: Service): string {
  return service === 'mongo' ? 'ferretdb' : service;
}

async function startContainers(services: Service[], env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = [];
  for (const service of services) {
    if (service === 'kafka') {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const kafka = await new KafkaContainer('confluentinc/cp-kafka:8.0.0').start();
      env[INFRA_VARIABLES.kafka] = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
      stops.push(() => kafka.stop());
    } else if (service === 'mongo') {
      const { MongoDBContainer } = await import('@testcontainers/mongodb');
      const mongo = await new MongoDBContainer('mongo:7').start();
      env[INFRA_VARIABLES.mongo] = `${mongo.getConnectionString()}/?directConnection=true`;
      stops.push(() => mongo.stop());
    } else {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const pg = await new PostgreSqlContainer('postgres:15').start();
      env[INFRA_VARIABLES.postgres] = pg.getConnectionUri();
      stops.push(() => pg.stop());
    }
  }
  return async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  };
}
