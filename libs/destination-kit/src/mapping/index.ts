export {
  resolveMapping,
  validateMapping,
  mappingProblems,
  MappingError,
  DIRECTIVES,
  type Mapping,
  type MappingValue,
  type JsonPrimitive,
  type DirectiveName,
  type MappingProblem,
  type ResolveOptions,
} from './resolve';
export { getPath, parsePath } from './path';
export { webhookCall } from './webhook-call';
