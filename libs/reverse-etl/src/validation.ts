import { z } from 'zod';
import type { MappingsValidation } from '@manifold/destination-kit';
import { CHANGE_KINDS } from '@manifold/warehouse';
import { connectionMapping } from './connection-mapping';
import { parseCron } from './schedule';
import type { ReverseEtlConnection, ReverseEtlModel } from './records';

export interface InputProblem {
  path: string;
  message: string;
}

/** A model or connection that cannot be saved, with every problem found. */
export class InvalidReverseEtlInputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.name = 'InvalidReverseEtlInputError';
  }
}

const schedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('manual') }),
  // Segment's shortest interval is 15 minutes; a minute here, for small self-hosted models.
  z.object({
    kind: z.literal('interval'),
    seconds: z
      .number()
      .int()
      .min(60, 'must be at least 60')
      .max(31 * 86400),
  }),
  z.object({
    kind: z.literal('cron'),
    expression: z.string().superRefine((expression, ctx) => {
      try {
        parseCron(expression);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  }),
]);

const modelInput = z.strictObject({
  workspaceId: z.string().min(1, 'is required'),
  name: z.string().trim().min(1, 'is required').max(128),
  warehouseId: z.string().min(1, 'is required'),
  sql: z
    .string()
    .trim()
    .min(1, 'is required')
    .refine((sql) => !/;\s*\S/.test(sql), 'must be one SQL statement (a trailing ; is allowed)'),
  identifierColumn: z.string().trim().min(1, 'is required').max(128),
  schedule,
  enabled: z.boolean().default(true),
  startFromNow: z.boolean().default(false),
});

export type ModelInput = z.input<typeof modelInput>;

const problemsOf = (error: z.ZodError): InputProblem[] =>
  error.issues.map((issue) => ({ path: issue.path.join('.') || '(model)', message: issue.message }));

/** A new model from what a user gave; throws InvalidReverseEtlInputError listing every problem. */
export function parseModelInput(raw: unknown, id: string, now: string): ReverseEtlModel {
  const parsed = modelInput.safeParse(raw);
  if (!parsed.success) throw new InvalidReverseEtlInputError(problemsOf(parsed.error));
  return { id, ...parsed.data, createdAt: now, updatedAt: now };
}

const connectionInput = z.strictObject({
  workspaceId: z.string().min(1, 'is required'),
  modelId: z.string().min(1, 'is required'),
  destinationId: z.string().min(1, 'is required'),
  changeKinds: z
    .array(z.enum(CHANGE_KINDS as [string, ...string[]]))
    .min(1, 'needs at least one of added, updated, deleted')
    .refine((kinds) => new Set(kinds).size === kinds.length, 'lists a change kind twice'),
  action: z.string().min(1, 'is required'),
  fields: z.record(z.string(), z.unknown()),
  enabled: z.boolean().default(true),
  rowsPerSecond: z.number().int().min(1).max(100000).default(100),
});

/**
 * A new connection from what a user gave, its action and field mapping checked as any instance
 * mapping of the destination is (`validateMappings`: the destination's validateInstanceMappings,
 * given a list of one); throws InvalidReverseEtlInputError.
 */
export function parseConnectionInput(
  raw: unknown,
  id: string,
  model: Pick<ReverseEtlModel, 'id' | 'name'>,
  validateMappings: (mappings: unknown[]) => MappingsValidation,
): ReverseEtlConnection {
  const parsed = connectionInput.safeParse(raw);
  if (!parsed.success) throw new InvalidReverseEtlInputError(problemsOf(parsed.error));
  const connection = { id, ...parsed.data } as ReverseEtlConnection;
  if (connection.modelId !== model.id) {
    throw new InvalidReverseEtlInputError([{ path: 'modelId', message: `is not the model ${model.id}` }]);
  }
  const checked = validateMappings([connectionMapping(connection, model.name)]);
  if (!checked.ok) {
    throw new InvalidReverseEtlInputError(
      // Paths as the connection has them: `mappings[0].fields.x` is its `fields.x`.
      checked.problems.map((p) => ({ path: p.path.replace(/^[a-z]+\[0\]\.?/i, ''), message: p.message })),
    );
  }
  return connection;
}
