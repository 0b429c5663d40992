export {
  WarehouseLoader,
  type WarehouseLoaderOptions,
  type WarehouseLoaderStats,
  type EngineFactory,
} from './warehouse-loader';
export { LoaderSupervisor, type LoaderSupervisorOptions } from './loader-supervisor';
export { KafkaLoadHistory, logLoad, type LoadHistory } from './load-history';
export { startLoaderApp, type LoaderApp, type LoaderAppOptions } from './loader-app';
export { WithEmbeddedWarehouse, embeddedWarehouseId, type EmbeddedWarehouseOptions } from './embedded-warehouse';
export { PendingEvents, type PendingEvent } from './pending-events';
export { backoffDelay, type BackoffOptions } from './backoff';
export { registerLoaderMetrics } from './metrics';
export { loadLoaderConfig, type LoaderConfig } from './config';
