import { choicesInWords, formatInWords, limitInWords, rangeInWords, TYPES } from './words';

/** The part of a zod issue that is put into words (zod's own issue types are assignable to it). */
export interface ZodIssueLike {
  readonly code?: string | undefined;
}

const LIMITED: Record<string, 'characters' | 'items' | 'entries' | undefined> = {
  string: 'characters',
  array: 'items',
  set: 'items',
  object: 'entries',
};

/**
 * A zod issue in words, for zod's own messages ("Too small: expected string to have >=1
 * characters"); undefined leaves the message as it is. Pass as a parse's `error` option: messages
 * a schema sets itself take precedence over it.
 */
export function zodIssueInWords(issue: ZodIssueLike): string | undefined {
  const i = issue as Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_type':
      return i['input'] === undefined
        ? 'is required'
        : `must be ${TYPES[String(i['expected'])] ?? String(i['expected'])}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? 'min' : 'max';
      const limit = Number(i[bound === 'min' ? 'minimum' : 'maximum']);
      const what = LIMITED[String(i['origin'])];
      return what ? limitInWords(bound, limit, what) : rangeInWords(bound, limit, i['inclusive'] !== false);
    }
    case 'invalid_format':
      return i['format'] === 'regex' ? 'is not in the expected form' : formatInWords(String(i['format']));
    case 'invalid_value':
      return choicesInWords((i['values'] as unknown[] | undefined) ?? []);
    case 'unrecognized_keys':
      return `has fields that are not allowed here: ${((i['keys'] as string[] | undefined) ?? []).join(', ')}`;
    case 'invalid_union': {
      // One of several shapes (`z.url().or(z.literal(''))`): the first one's problem says what is wanted.
      const first = (i['errors'] as Array<Array<{ message?: string }>> | undefined)?.[0]?.[0]?.message;
      return first || undefined;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(i['divisor'])}`;
    default:
      return undefined;
  }
}
