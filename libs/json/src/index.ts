export { MAYBE_UNSAFE_INTEGER, parseJsonExact } from './exact-integers';
export { isPlainObject } from './plain-object';
