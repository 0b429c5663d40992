import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { CliError } from '../connection';
import { workspaceSpecSchema, type WorkspaceSpec } from './workspace-spec';

export type PathSegment = string | number;

/** Where a path of the file is: `file:line:column`, falling back to the nearest parent found. */
export class SpecLocator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Where a key of a mapping is written (for keys that should not be there). */
  atKey(parent: readonly PathSegment[], key: string): string {
    const map = this.doc.getIn(parent, true);
    if (isMap(map)) {
      const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return this.position(pair.key.range[0]);
    }
    return this.at([...parent, key]);
  }

  private position(offset: number): string {
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }

  at(path: readonly PathSegment[]): string {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = this.doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return this.position(node.range[0]);
    }
    return `${this.file}:1:1`;
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Parses and validates a workspace file. `${NAME}` in a string is replaced with the environment
 * variable NAME, so secrets need not be written into the file. Every problem is reported with
 * its line and field, all at once.
 */
export function loadSpec(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
): { spec: WorkspaceSpec; locate: SpecLocator } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locate = new SpecLocator(file, doc, lines);
  if (doc.errors.length > 0) {
    throw new CliError(
      doc.errors
        .map((e) => {
          const { line, col } = lines.linePos(e.pos[0]);
          return `${file}:${line}:${col}: ${e.message.split('\n')[0]}`;
        })
        .join('\n'),
    );
  }
  const problems: string[] = [];
  const substituted = substitute(doc.toJS(), [], env, (path, name) =>
    problems.push(`${locate.at(path)}: ${formatPath(path)}: environment variable ${name} is not set`),
  );
  const parsed = workspaceSpecSchema.safeParse(substituted);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push(
            `${locate.atKey(path, key)}: ${formatPath([...path, key])}: unknown field (not part of a workspace file)`,
          );
        }
        continue;
      }
      problems.push(`${locate.at(path)}: ${formatPath(path) || '(file)'}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
  if (!parsed.success) throw new CliError(`${file}: invalid`);
  return { spec: parsed.data, locate };
}

function substitute(
  value: unknown,
  path: PathSegment[],
  env: NodeJS.ProcessEnv,
  missing: (path: PathSegment[], name: string) => void,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) missing(path, name);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, [...path, i], env, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, [...path, k], env, missing)]));
  }
  return value;
}
