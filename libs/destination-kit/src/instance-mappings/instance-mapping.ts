import { z } from 'zod';
import type { Mapping } from '../mapping';

/** Most mappings one destination instance may hold. */
export const MAX_INSTANCE_MAPPINGS = 100;

/**
 * One mapping of a destination instance, as Segment's Actions destinations have them: which
 * events (`trigger`, FQL) make which action of the destination run, with which field mapping
 * (mapping-kit directives, one per field of the action). An instance's mappings are an ordered
 * list; an event runs every enabled mapping whose trigger it matches.
 */
export interface InstanceMapping {
  /** Stable within the instance; the presets' ids start with `preset-`. */
  id: string;
  name: string;
  enabled: boolean;
  /** FQL condition on the event, e.g. `type = "track" and event = "Order Completed"`. */
  trigger: string;
  /** An action key of the destination, e.g. `trackEvent`. */
  action: string;
  /** The whole field mapping of the action: fields absent here are not sent. */
  fields: Mapping;
}

/**
 * How a Reverse ETL connection's mapping id starts (`retl-<connection id>`). Such a mapping takes
 * only its model's row changes and every other mapping (the presets included) only the event
 * stream: a model's rows reach an instance through their connection alone, as in Segment, where
 * Reverse ETL mappings are the model's own.
 */
export const REVERSE_ETL_MAPPING_PREFIX = 'retl-';

/** Whether a mapping is a Reverse ETL connection's (see REVERSE_ETL_MAPPING_PREFIX). */
export const isReverseEtlMapping = (mapping: Pick<InstanceMapping, 'id'>): boolean =>
  mapping.id.startsWith(REVERSE_ETL_MAPPING_PREFIX);

/** The shape of a mapping (types only); `validateInstanceMappings` checks it against the destination. */
export const instanceMappingSchema = z.object({
  id: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
  name: z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters'),
  enabled: z.boolean(),
  trigger: z.string().trim().min(1, 'is required: an FQL condition, e.g. type = "track"'),
  action: z.string().min(1, 'is required: an action of the destination'),
  fields: z.record(z.string(), z.json()),
});

export const instanceMappingsSchema = z
  .array(instanceMappingSchema)
  .max(MAX_INSTANCE_MAPPINGS, `at most ${MAX_INSTANCE_MAPPINGS} mappings per destination`);
