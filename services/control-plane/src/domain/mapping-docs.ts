import type { InstanceMapping, Mapping } from '@manifold/destination-kit';
import type { DestinationMapping } from '@manifold/proto';
import type { Catalog } from './catalog';
import type { CallContext } from './context';
import type { DestinationDoc, DestinationMappingDoc, DestinationMappingVersionDoc } from '../store/documents';

// How a destination's mappings are stored and shown: kit mappings <-> documents <-> messages.

export function mappingToDoc(mapping: InstanceMapping): DestinationMappingDoc {
  const { fields, ...rest } = mapping;
  return { ...rest, fieldsJson: JSON.stringify(fields) };
}

export function mappingFromDoc(doc: DestinationMappingDoc): InstanceMapping {
  const { fieldsJson, ...rest } = doc;
  return { ...rest, fields: JSON.parse(fieldsJson) as Mapping };
}

/** The API's shape of a mapping (fields as a Struct). */
export function mappingMessage(mapping: InstanceMapping): DestinationMapping {
  return { ...mapping, fields: mapping.fields };
}

/** A destination's mappings now: saved ones, else (saved before mappings existed) the presets. */
export function currentMappings(doc: DestinationDoc, catalog: Catalog): InstanceMapping[] {
  if (doc.mappings) return doc.mappings.map(mappingFromDoc);
  return catalog.get(doc.catalogId)?.mappings?.presets() ?? [];
}

/** A new destination's mappings: its presets, as version 1 (none for types without mappings). */
export function initialMappings(
  catalog: Catalog,
  catalogId: string,
): Pick<DestinationDoc, 'mappings' | 'mappingsVersion'> {
  const rules = catalog.get(catalogId)?.mappings;
  if (!rules) return {};
  return { mappings: rules.presets().map(mappingToDoc), mappingsVersion: 1 };
}

export function mappingVersionId(destinationId: string, version: number): string {
  return `${destinationId}:${version}`;
}

export function mappingVersionDoc(
  doc: Pick<DestinationDoc, '_id' | 'workspaceId'>,
  version: number,
  mappings: DestinationMappingDoc[],
  ctx: CallContext,
  comment: string,
  diff: string[],
): DestinationMappingVersionDoc {
  return {
    _id: mappingVersionId(doc._id, version),
    destinationId: doc._id,
    workspaceId: doc.workspaceId,
    version,
    mappings,
    changedBy: ctx.actor,
    changedAt: ctx.now,
    comment,
    diff,
  };
}
