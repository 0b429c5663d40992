export { loadConfig, ConfigError } from './load-config';
export { env } from './fields';
