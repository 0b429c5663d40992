import { choicesInWords, formatInWords, limitInWords, rangeInWords, TYPES } from './words';

/** The part of a JSON Schema validator's error (ajv's ErrorObject) that is put into words. */
export interface JsonSchemaError {
  keyword: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

/**
 * A JSON Schema problem in words ("must be a URL such as https://…") instead of the validator's
 * own message ('must match format "uri"').
 */
export function jsonSchemaErrorInWords(error: JsonSchemaError): string {
  const p = error.params;
  switch (error.keyword) {
    case 'format':
      return formatInWords(String(p['format']));
    case 'type':
      return `must be ${String(p['type'])
        .split(',')
        .map((t) => TYPES[t] ?? t)
        .join(' or ')}`;
    case 'minLength':
      return limitInWords('min', Number(p['limit']), 'characters');
    case 'maxLength':
      return limitInWords('max', Number(p['limit']), 'characters');
    case 'minItems':
      return limitInWords('min', Number(p['limit']), 'items');
    case 'maxItems':
      return limitInWords('max', Number(p['limit']), 'items');
    case 'minProperties':
      return limitInWords('min', Number(p['limit']), 'entries');
    case 'maxProperties':
      return limitInWords('max', Number(p['limit']), 'entries');
    case 'minimum':
      return rangeInWords('min', p['limit'], true);
    case 'maximum':
      return rangeInWords('max', p['limit'], true);
    case 'exclusiveMinimum':
      return rangeInWords('min', p['limit'], false);
    case 'exclusiveMaximum':
      return rangeInWords('max', p['limit'], false);
    case 'multipleOf':
      return `must be a multiple of ${String(p['multipleOf'])}`;
    case 'enum':
      return choicesInWords(p['allowedValues'] as unknown[]);
    case 'const':
      return `must be ${JSON.stringify(p['allowedValue'])}`;
    case 'pattern':
      return `is not in the expected form (it must match ${String(p['pattern'])})`;
    case 'uniqueItems':
      return 'must not list the same value twice';
    case 'propertyNames':
      return `has a name that is not allowed (${String(p['propertyName'])})`;
    default:
      return error.message ?? 'is invalid';
  }
}
