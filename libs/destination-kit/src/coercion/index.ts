export {
  coerce,
  coerceNumber,
  coerceInteger,
  coerceString,
  coerceBoolean,
  coerceTimestamp,
  coerceCurrency,
  coercePhone,
  coerceEmail,
  valueType,
  type Coerced,
  type Coercion,
  type CoercionName,
  type ValueType,
} from './coerce';
export { Notices, fieldPath, describeNotice, type FieldNotice } from './notices';
export { lenient, applyLenientFields } from './lenient-fields';
