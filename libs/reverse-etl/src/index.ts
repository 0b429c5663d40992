// Reverse ETL: warehouse models as sources. The records (models, connections, runs), their store
// in MongoDB, schedules, and the events row changes become. The diff itself is the warehouse's
// (@manifold/warehouse, ModelDiffEngine); the runner is the warehouse loader's.
export * from './records';
export { scheduleDue, parseCron } from './schedule';
export {
  CHANGE_EVENT_NAMES,
  rowChangeEvent,
  rowChangeMessage,
  rowChangeEncoder,
  rowChangeMessageId,
  type RowEventContext,
} from './row-event';
export { connectionMapping, connectionMappingId } from './connection-mapping';
export { suggestedFields, normalizedName } from './suggested-fields';
export { ReverseEtlStore } from './store';
export type { RefusedRowChange } from './run-delivery-records';
export { tallyRunDeliveries, type RunDeliveryTally } from './run-deliveries';
export { parseModelInput, parseConnectionInput, InvalidReverseEtlInputError, type InputProblem } from './validation';
