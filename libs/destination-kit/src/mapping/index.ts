export {
  resolveMapping,
  validateMapping,
  MappingError,
  DIRECTIVES,
  type Mapping,
  type MappingValue,
  type JsonPrimitive,
  type DirectiveName,
} from './resolve';
export { getPath, parsePath } from './path';
