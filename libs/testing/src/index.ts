export { testInfrastructure, INFRA_VARIABLES, type TestInfrastructure } from './infrastructure';
export { requireKafka, requireMongo, requirePostgres, MissingServiceError } from './probes';
export { uniqueName } from './names';
export { testLogger } from './test-logger';
export { startChild, stopChild, type StartChildOptions, type StartedChild } from './child-process';
export { processCpuSeconds, pidCpuSeconds } from './process-cpu';
export { parsePrometheusText, sampleValue, type MetricFamily, type MetricSample } from './prometheus-text';
export { freePort } from './free-port';
