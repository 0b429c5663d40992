import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * The one ajv setup for tracking plans: every error (a debugger shows them all), formats known,
 * and strict mode off so a schema's annotations (`description`, `examples`, `x-*`) are accepted.
 */
export function planAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv;
}
