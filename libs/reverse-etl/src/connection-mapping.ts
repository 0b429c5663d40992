import { REVERSE_ETL_MAPPING_PREFIX, type InstanceMapping } from '@manifold/destination-kit';
import { CHANGE_EVENT_NAMES } from './row-event';
import type { ReverseEtlConnection } from './records';

/** The id of the instance mapping a connection becomes: `retl-` and the connection's id. */
export function connectionMappingId(connectionId: string): string {
  return `${REVERSE_ETL_MAPPING_PREFIX}${connectionId}`;
}

/**
 * A connection as the mapping of its destination instance that translators run: triggered by the
 * model's row changes of the kinds it takes (and no other source's events), running its action
 * with its field mapping. Its id's prefix makes translators run it for row changes only, and
 * only it (and the model's other connections) for them (`isReverseEtlMapping`).
 */
export function connectionMapping(connection: ReverseEtlConnection, modelName: string): InstanceMapping {
  const events = connection.changeKinds.map((kind) => `event = ${JSON.stringify(CHANGE_EVENT_NAMES[kind])}`);
  return {
    id: connectionMappingId(connection.id),
    name: `Reverse ETL: ${modelName} (${connection.changeKinds.join(', ')})`.slice(0, 128),
    enabled: connection.enabled,
    trigger: `type = "track" and context.reverseEtl.modelId = ${JSON.stringify(connection.modelId)} and (${events.join(' or ')})`,
    action: connection.action,
    fields: connection.fields as InstanceMapping['fields'],
  };
}
