import type { ControlPlaneClients } from '@manifold/proto';
import type { Step } from './plan';

// What the parts of `manifold apply`'s plan share about steps.

/** A step's call, when the control plane's answer says nothing worth printing. */
export const done = async (call: Promise<unknown>): Promise<undefined> => {
  await call;
  return undefined;
};

/** Something the file does not list: with --prune, its deletion; without, a note that changes nothing. */
export function removal(prune: boolean, what: string, remove: (c: ControlPlaneClients) => Promise<unknown>): Step {
  return prune
    ? { description: `- delete ${what}`, path: [], run: (c) => done(remove(c)) }
    : { description: `  (not in the file, kept: ${what}; --prune deletes it)`, path: [], run: async () => undefined };
}
