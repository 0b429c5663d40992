export {
  instanceMappingSchema,
  instanceMappingsSchema,
  isReverseEtlMapping,
  REVERSE_ETL_MAPPING_PREFIX,
  MAX_INSTANCE_MAPPINGS,
  type InstanceMapping,
} from './instance-mapping';
export { presetMappings } from './presets';
export { validateInstanceMappings, type MappingsValidation } from './validate-mappings';
export { prepareMappedEvents, type MappedEvent, type MappedEvents } from './prepare-mapped';
