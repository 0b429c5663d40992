import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { jsonSchemaErrorInWords } from './json-schema';

function problems(schema: object, value: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  validate(value);
  return (validate.errors ?? []).map(jsonSchemaErrorInWords);
}

describe('settings problems in words', () => {
  it('says what a URL, an email, a number in range and a choice look like', () => {
    expect(problems({ type: 'string', format: 'uri' }, 'not a url')).toEqual([
      'must be a URL such as https://example.com/path',
    ]);
    expect(problems({ type: 'string', format: 'email' }, 'nobody')).toEqual([
      'must be an email address such as name@example.com',
    ]);
    expect(problems({ type: 'integer', minimum: 0, maximum: 1000 }, 5000)).toEqual(['must be 1000 or less']);
    expect(problems({ type: 'integer' }, 1.5)).toEqual(['must be a whole number']);
    expect(problems({ enum: ['us', 'eu'] }, 'asia')).toEqual(['must be one of "us", "eu"']);
    expect(problems({ type: 'string', minLength: 8 }, 'short')).toEqual(['must be at least 8 characters long']);
    expect(problems({ type: 'string', minLength: 1 }, '')).toEqual(['must not be empty']);
    expect(problems({ type: ['string', 'null'] }, 3)).toEqual(['must be text or empty']);
  });

  it('never passes on the validator’s own wording for the common keywords', () => {
    const raw = problems(
      {
        type: 'object',
        properties: {
          a: { type: 'string', format: 'uri' },
          b: { type: 'number', exclusiveMinimum: 0 },
          c: { type: 'array', minItems: 3, uniqueItems: true },
        },
      },
      { a: 'x', b: 0, c: [1, 1] },
    );
    expect(raw).toHaveLength(4);
    for (const message of raw) expect(message).not.toMatch(/must match format|must NOT|must be >|"uri"/);
  });
});
