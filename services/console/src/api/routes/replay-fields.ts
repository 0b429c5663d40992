// What the routes of both kinds of replay (of the events topic, of the quarantine topic) take
// alike: runs of the control plane's, each over a time range of one source at a rate.
import { z } from 'zod';

export const workspaceParams = z.object({ workspace: z.string().describe('Workspace slug or id') });
export const runParams = workspaceParams.extend({ id: z.string() });
export const time = z.iso.datetime().describe('RFC 3339 time');

/** The control plane's bounds for either kind (and its default). */
export const ratePerSecond = z
  .number()
  .int()
  .min(0)
  .max(100_000)
  .default(0)
  .describe('Events per second at most; 0 means 500');

/** Newest first: the control plane lists at most 100. */
export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
