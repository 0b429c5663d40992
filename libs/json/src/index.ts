export { isPlainObject } from './plain-object';
