export { jsonSchemaErrorInWords, type JsonSchemaError } from './json-schema';
export { zodIssueInWords, type ZodIssueLike } from './zod';
