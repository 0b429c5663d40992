import { randomBytes } from 'node:crypto';

/** A name no other test run uses (topics, groups, databases), so tests never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
