export { exactJsonText, parseJsonExact } from './exact-integers';
export { isPlainObject } from './plain-object';
