import { SecretMasker } from '@manifold/secrets';
import { z } from 'zod';

/** Thrown at start when the environment does not satisfy a service's schema; lists every problem at once. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${service}: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

/** The configuration a shape of variables gives. */
export type ConfigOf<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;

/** A problem found by a check across variables, such as a user name given without a password. */
export interface ConfigProblem {
  variable: string;
  /** Completes "<variable>=<value>: ..." or "<variable> ...", e.g. "is required when X is set". */
  message: string;
}

/** A rule across several variables, run once every variable parsed on its own. */
export type ConfigCheck<C> = (config: C) => readonly ConfigProblem[];

/**
 * Reads a service's configuration from environment variables.
 *
 * The schema's keys are the variable names, so a message can always name the variable to fix.
 * Empty strings count as unset: `FOO=` in a shell or a Kubernetes manifest means "no value".
 */
export function loadConfig<S extends z.ZodRawShape>(
  service: string,
  shape: S,
  source: Source = process.env,
  checks: readonly ConfigCheck<ConfigOf<S>>[] = [],
): ConfigOf<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const raw = source[key];
    input[key] = raw === undefined || raw.trim() === '' ? undefined : raw;
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) {
    const problems = checks.flatMap((check) => check(result.data));
    if (problems.length === 0) return result.data;
    throw new ConfigError(
      service,
      problems.map(({ variable, message }) => {
        const value = input[variable];
        return value === undefined ? `${variable} ${message}` : `${variable}=${shown(variable, value)}: ${message}`;
      }),
    );
  }
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = input[String(issue.path[0])];
    if (value === undefined) return `${name} is required but not set`;
    return `${name}=${shown(name, value)}: ${issue.message}`;
  });
  throw new ConfigError(service, problems);
}

/** Variables whose value is a credential: never quoted in an error. */
const SECRET_VARIABLE = /TOKEN|SECRET|KEY|PASSWORD|CREDENTIAL/i;
/** ...except those naming a file (KAFKA_TLS_KEY_FILE): a path is no secret, and the one to fix. */
const FILE_VARIABLE = /_FILE$/;

/** A bad value as the error quotes it: hidden for credentials, URL userinfo masked for the rest. */
function shown(name: string, value: string): string {
  if (SECRET_VARIABLE.test(name) && !FILE_VARIABLE.test(name)) return `(${value.length} characters, not shown)`;
  return JSON.stringify(SecretMasker.generic.text(value));
}
