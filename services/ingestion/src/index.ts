export { createIngestionApp, type IngestionApp, type IngestionAppDeps } from './app';
export { startIngestion, type StartIngestionOptions, type RunningIngestion } from './start';
export {
  DEFAULT_SETTINGS,
  ingestionSettings,
  type IngestionSettings,
  type IngestionSettingsOverrides,
  type PublishSettings,
} from './settings';
export { runIngestion, type IngestionProcess, type RunIngestionOptions } from './run-ingestion';
export { loadIngestionConfig, settingsFromConfig, ingestionConfigShape, type IngestionConfig } from './config';
export { IngestionError, REASON_CODES, type ReasonCode, type Rejection } from './http/errors';
export { PublishQueue, type PublishQueueOptions, type MessageSender } from './publish/publish-queue';
export { RecoveringSender } from './publish/recovering-sender';
export { LiveDebugger, type DebuggerEntry, type DebuggerStatus } from './debugger/live-debugger';
export { AnalyticsJsBundle } from './analytics-js/bundle';
export { runPrimary, type PrimaryOptions, type RunningPrimary } from './workers/primary';
export { WorkerLink } from './workers/worker-link';
export { serveIngestion, workerCount } from './workers/serve';
export { defaultWorkerCount } from './workers/worker-count';
export { limitHeapGrowth, HEAP_GROWING_PERCENT } from './heap-growth';
