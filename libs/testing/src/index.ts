export { testInfrastructure, INFRA_VARIABLES, type TestInfrastructure } from './infrastructure';
export { requireKafka, requireMongo, requirePostgres, MissingServiceError } from './probes';
export { uniqueName } from './names';
export { testLogger } from './test-logger';
export { startChild, stopChild, type StartChildOptions, type StartedChild } from './child-process';
export { processCpuSeconds, pidCpuSeconds } from './process-cpu';
export { PrivateKafka, PrivateFerretDb, freePort } from './private-infra';
