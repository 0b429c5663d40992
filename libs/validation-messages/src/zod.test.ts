import { z } from 'zod';
import { zodIssueInWords } from './zod';

function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value, { error: zodIssueInWords });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('zod issues in words', () => {
  it('replaces zod’s own wording', () => {
    const schema = z.object({
      name: z.string().min(1).max(5),
      url: z.url(),
      email: z.email(),
      interval: z.number().int().min(60),
      region: z.enum(['us', 'eu']),
      tags: z.array(z.string()).min(2),
      missing: z.string(),
      extra: z.strictObject({ a: z.string() }),
    });
    expect(
      problems(schema, {
        name: '',
        url: 'nope',
        email: 'nobody',
        interval: 5,
        region: 'asia',
        tags: ['a'],
        extra: { a: 'x', b: 1 },
      }),
    ).toEqual([
      'name: must not be empty',
      'url: must be a URL such as https://example.com/path',
      'email: must be an email address such as name@example.com',
      'interval: must be 60 or more',
      'region: must be one of "us", "eu"',
      'tags: must list at least 2 items',
      'missing: is required',
      'extra: has fields that are not allowed here: b',
    ]);
    expect(problems(z.number().int(), 1.5)).toEqual([': must be a whole number']);
    expect(problems(z.url().or(z.literal('')), 'nope')).toEqual([': must be a URL such as https://example.com/path']);

    expect(problems(z.string().max(5), 'toolong')).toEqual([': must be at most 5 characters long']);
  });

  it('keeps a message the schema sets itself', () => {
    expect(problems(z.string().regex(/^[a-z]+$/, 'use lowercase letters'), 'ABC')).toEqual([': use lowercase letters']);
  });
});
