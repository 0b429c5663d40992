export { testInfrastructure, INFRA_VARIABLES, type TestInfrastructure } from './infrastructure';
export { requireKafka, requireMongo, requirePostgres, MissingServiceError } from './probes';
export { testTopicPrefix, uniqueName } from './names';
export { testLogger } from './test-logger';
export { startChild, stopChild, type StartChildOptions, type StartedChild } from './child-process';
export { processCpuSeconds, pidCpuSeconds } from './process-cpu';
export { launchChromium, CHROMIUM_PATH, type LaunchChromiumOptions } from './browser';
export { segmentSnippet } from './segment-snippet';
export { TcpProxy } from './tcp-proxy';
