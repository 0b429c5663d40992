import { z } from 'zod';

/** The declarative workspace file `manifold apply -f` reads. Unknown keys are errors. */
export const workspaceSpecSchema = z.strictObject({
  workspace: z.strictObject({
    slug: z.string().min(1),
    name: z.string().min(1),
    owner: z.email(),
    members: z.array(z.strictObject({ email: z.email(), role: z.enum(['owner', 'member', 'read-only']) })).default([]),
  }),
  sources: z
    .array(
      z.strictObject({
        slug: z.string().min(1),
        name: z.string().min(1),
        type: z.string().min(1),
        category: z.string().min(1),
        environment: z.string().min(1).default('prod'),
        enabled: z.boolean().default(true),
      }),
    )
    .default([]),
  destinations: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        catalog: z.string().min(1),
        enabled: z.boolean().default(true),
        settings: z.record(z.string(), z.unknown()).default({}),
        sources: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  warehouses: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        kind: z.string().min(1),
        interval: z.number().int().positive().default(3600),
        enabled: z.boolean().default(true),
        settings: z.record(z.string(), z.unknown()).default({}),
        sources: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});

export type WorkspaceSpec = z.infer<typeof workspaceSpecSchema>;
