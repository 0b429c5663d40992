export { loadConfig, ConfigError, type ConfigOf, type ConfigCheck, type ConfigProblem } from './load-config';
export { env, type ConfigFile } from './fields';
export { requiredTogether, usedOnlyWhen } from './checks';
