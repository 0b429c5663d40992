import { type Violations } from './errors';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const ROLES = ['owner', 'member', 'read-only'] as const;
export const SOURCE_CATEGORIES = ['website', 'server', 'mobile', 'cloud app', 'warehouse'] as const;
export const SOURCE_TYPES = [
  'javascript',
  'node',
  'python',
  'go',
  'java',
  'ruby',
  'php',
  'ios',
  'android',
  'react-native',
  'http',
  'pixel',
  'warehouse',
  'reverse-etl',
  'webhook',
] as const;

export function checkSlug(v: Violations, field: string, value: string | undefined): void {
  if (!value) v.add(field, 'is required');
  else if (!SLUG.test(value))
    v.add(field, 'must be 1-64 lowercase letters, digits or hyphens, not starting or ending with a hyphen');
}

export function checkName(v: Violations, field: string, value: string | undefined): void {
  if (!value || !value.trim()) v.add(field, 'is required');
  else if (value.length > 100) v.add(field, 'must be at most 100 characters');
}

export function checkEmail(v: Violations, field: string, value: string | undefined): void {
  if (!value) v.add(field, 'is required');
  else if (!EMAIL.test(value)) v.add(field, 'must be an email address');
}

export function checkOneOf(
  v: Violations,
  field: string,
  value: string | undefined,
  allowed: readonly string[],
  required = true,
): void {
  if (!value) {
    if (required) v.add(field, `is required (one of ${allowed.join(', ')})`);
  } else if (!allowed.includes(value)) v.add(field, `must be one of ${allowed.join(', ')}`);
}

/** Environments are free-form labels (prod, dev, staging, ...) but follow Segment's label rule. */
export function checkEnvironment(v: Violations, field: string, value: string | undefined): void {
  if (!value) v.add(field, 'is required (e.g. prod, dev, staging)');
  else if (!/^[a-z][a-z0-9-]{0,31}$/i.test(value))
    v.add(field, 'must start with a letter and contain only letters, digits and hyphens (max 32)');
}

export function checkMembers(
  v: Violations,
  field: string,
  members: ReadonlyArray<{ email: string; role: string }>,
): void {
  members.forEach((m, i) => {
    checkEmail(v, `${field}[${i}].email`, m.email);
    checkOneOf(v, `${field}[${i}].role`, m.role, ROLES);
  });
}

/** A warehouse's sync interval. */
export function checkSyncInterval(v: Violations, field: string, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 7 * 86400)
    v.add(field, 'must be a whole number of seconds from 1 to 604800 (7 days)');
}
