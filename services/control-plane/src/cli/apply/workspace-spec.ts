import { z } from 'zod';

// The declarative workspace file `manifold apply -f` reads. Unknown keys are errors. The parts
// are parsed one by one as well, so a bad part does not hide the problems of the others.

export const workspacePartSchema = z.strictObject({
  slug: z.string().min(1),
  name: z.string().min(1),
  owner: z.email(),
  members: z.array(z.strictObject({ email: z.email(), role: z.enum(['owner', 'member', 'read-only']) })).default([]),
});

/**
 * A webhook source's app and how its deliveries are read. The signing secret comes from the
 * environment (`signingSecret: ${STRIPE_SECRET}`) or from a file (`signingSecretFile`, read when
 * the file is applied); neither: deliveries are not verified.
 */
export const webhookSpecSchema = z
  .strictObject({
    kind: z.string().min(1),
    signingSecret: z.string().min(1).optional(),
    signingSecretFile: z.string().min(1).optional(),
    /** Generic sources: mapping-kit directives from a delivery's JSON to a Spec call. */
    mapping: z.record(z.string(), z.json()).optional(),
  })
  .refine((w) => !(w.signingSecret && w.signingSecretFile), {
    message: 'give signingSecret or signingSecretFile, not both',
  });

export const sourceSpecSchema = z.strictObject({
  slug: z.string().min(1),
  name: z.string().min(1),
  type: z.string().min(1),
  category: z.string().min(1),
  environment: z.string().min(1).default('prod'),
  enabled: z.boolean().default(true),
  /** Sources of type `webhook` only. */
  webhook: webhookSpecSchema.optional(),
});

/** One mapping of a destination; ids are required in a file, so a second apply finds the same ones. */
export const mappingSpecSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  trigger: z.string().min(1),
  action: z.string().min(1),
  fields: z.record(z.string(), z.json()),
});

export const destinationSpecSchema = z.strictObject({
  name: z.string().min(1),
  catalog: z.string().min(1),
  enabled: z.boolean().default(true),
  settings: z.record(z.string(), z.unknown()).default({}),
  sources: z.array(z.string()).default([]),
  /** All of the destination's mappings, in order; absent: they are left as they are (presets when new). */
  mappings: z.array(mappingSpecSchema).optional(),
});

export const warehouseSpecSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.string().min(1),
  interval: z.number().int().positive().default(3600),
  enabled: z.boolean().default(true),
  settings: z.record(z.string(), z.unknown()).default({}),
  sources: z.array(z.string()).default([]),
});

/**
 * A connection of a model to a destination instance. It has no name of its own: within a model,
 * a destination and an action name one connection, so a second apply finds the same one.
 */
export const modelConnectionSpecSchema = z.strictObject({
  destination: z.string().min(1),
  action: z.string().min(1),
  changes: z.array(z.enum(['added', 'updated', 'deleted'])).min(1),
  fields: z.record(z.string(), z.json()).default({}),
  enabled: z.boolean().default(true),
  rowsPerSecond: z.number().int().positive().default(100),
});

/** A Reverse ETL model: a warehouse query as a source; no schedule means manual ("run now"). */
export const modelSpecSchema = z.strictObject({
  name: z.string().min(1),
  warehouse: z.string().min(1),
  sql: z.string().min(1),
  identifier: z.string().min(1),
  schedule: z
    .union([z.strictObject({ interval: z.number().int().positive() }), z.strictObject({ cron: z.string().min(1) })])
    .optional(),
  enabled: z.boolean().default(true),
  startFromNow: z.boolean().default(false),
  connections: z.array(modelConnectionSpecSchema).default([]),
});

const planPolicy = z.enum(['allow', 'drop_property', 'block']);
const jsonSchema = z.record(z.string(), z.json());

/**
 * A tracking plan (libs/tracking-plans), found by its name: a JSON Schema per track event, what
 * to do with what it does not plan or what breaks it, and the sources (slugs) held to it.
 */
export const trackingPlanSpecSchema = z.strictObject({
  name: z.string().min(1),
  sources: z.array(z.string().min(1)).default([]),
  events: z.record(z.string(), jsonSchema).default({}),
  identifyTraits: jsonSchema.optional(),
  groupTraits: jsonSchema.optional(),
  pageProperties: jsonSchema.optional(),
  policies: z
    .strictObject({
      unplannedEvents: planPolicy.default('allow'),
      unplannedProperties: planPolicy.default('allow'),
      violations: planPolicy.default('allow'),
    })
    .default({ unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow' }),
});

export const workspaceSpecSchema = z.strictObject({
  workspace: workspacePartSchema,
  sources: z.array(sourceSpecSchema).default([]),
  destinations: z.array(destinationSpecSchema).default([]),
  warehouses: z.array(warehouseSpecSchema).default([]),
  models: z.array(modelSpecSchema).default([]),
  trackingPlans: z.array(trackingPlanSpecSchema).default([]),
});

export type WorkspaceSpec = z.infer<typeof workspaceSpecSchema>;
export type SourceSpec = z.infer<typeof sourceSpecSchema>;
export type DestinationSpec = z.infer<typeof destinationSpecSchema>;
export type MappingSpec = z.infer<typeof mappingSpecSchema>;
export type WarehouseSpec = z.infer<typeof warehouseSpecSchema>;
export type ModelSpec = z.infer<typeof modelSpecSchema>;
export type ModelConnectionSpec = z.infer<typeof modelConnectionSpecSchema>;
export type WebhookSpec = z.infer<typeof webhookSpecSchema>;
export type TrackingPlanSpec = z.infer<typeof trackingPlanSpecSchema>;

/** The parts of a file that are well-formed on their own; a bad part is `undefined`. */
export interface SpecParts {
  workspace: WorkspaceSpec['workspace'] | undefined;
  sources: Array<SourceSpec | undefined>;
  destinations: Array<DestinationSpec | undefined>;
  warehouses: Array<WarehouseSpec | undefined>;
  models: Array<ModelSpec | undefined>;
  trackingPlans: Array<TrackingPlanSpec | undefined>;
}

export function specParts(raw: unknown): SpecParts {
  const top = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const items = <T>(value: unknown, schema: z.ZodType<T>): Array<T | undefined> =>
    Array.isArray(value) ? value.map((item) => schema.safeParse(item).data) : [];
  return {
    workspace: workspacePartSchema.safeParse(top['workspace']).data,
    sources: items(top['sources'], sourceSpecSchema),
    destinations: items(top['destinations'], destinationSpecSchema),
    warehouses: items(top['warehouses'], warehouseSpecSchema),
    models: items(top['models'], modelSpecSchema),
    trackingPlans: items(top['trackingPlans'], trackingPlanSpecSchema),
  };
}
