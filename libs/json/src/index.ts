export { exactJsonText, parseJsonExact } from './exact-integers';
export { hasDottedPath, isPlainObject } from './plain-object';
