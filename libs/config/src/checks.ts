import type { ConfigProblem } from './load-config';

/**
 * Two variables that only work together (a user name and its password, a certificate and its
 * key): when one is set, the other is required.
 */
export function requiredTogether<C extends object>(
  config: C,
  a: keyof C & string,
  b: keyof C & string,
): ConfigProblem[] {
  const set = (v: keyof C): boolean => config[v] !== undefined;
  if (set(a) && !set(b)) return [{ variable: b, message: `is required when ${a} is set` }];
  if (set(b) && !set(a)) return [{ variable: a, message: `is required when ${b} is set` }];
  return [];
}

/** Variables that mean nothing unless `on` holds (TLS files while TLS is off): each one set is a problem. */
export function usedOnlyWhen<C extends object>(
  config: C,
  on: boolean,
  variables: readonly (keyof C & string)[],
  condition: string,
): ConfigProblem[] {
  if (on) return [];
  return variables
    .filter((v) => config[v] !== undefined)
    .map((variable) => ({ variable, message: `is only used with ${condition}` }));
}
