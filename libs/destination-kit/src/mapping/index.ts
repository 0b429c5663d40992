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
} from './resolve';
export { getPath, parsePath } from './path';
export { webhookCall } from './webhook-call';
