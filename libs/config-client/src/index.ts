// What the data plane (ingestion, translators, warehouse loader) knows of the configuration:
// a snapshot streamed from the control plane, kept in memory and served without network calls.
export type {
  ConfigSnapshot,
  SourceConfig,
  WebhookSourceConfig,
  SourceTrackingPlan,
  DestinationConfig,
  DestinationFilterConfig,
  DestinationMappingConfig,
  DestinationFilterAction,
  WarehouseConfig,
} from './snapshot';
export type { ConfigView } from './config-view';
export { InMemoryConfigView } from './in-memory-config-view';
export { connectConfigStream, type ConfigStreamClient, type ConnectConfigStreamOptions } from './config-stream-client';
