import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { CliError } from '../connection';
import { specParts, workspaceSpecSchema, type SpecParts, type WorkspaceSpec } from './workspace-spec';

export type PathSegment = string | number;

/** Something wrong with one field of the file. */
export interface Problem {
  path: PathSegment[];
  message: string;
  /** Point at the key itself rather than its value (a key that should not be there). */
  atKey?: boolean;
}

interface Position {
  line: number;
  col: number;
}

/** Where a path of the file is: `file:line:column`, falling back to the nearest parent found. */
export class SpecLocator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(path: readonly PathSegment[]): string {
    return this.format(this.positionOf(path));
  }

  /** Every problem as `file:line:column: field: message`, in the order of the file. */
  report(problems: readonly Problem[]): string {
    return problems
      .map((p) => ({ p, at: p.atKey ? this.keyPositionOf(p.path) : this.positionOf(p.path) }))
      .sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col)
      .map(({ p, at }) => `${this.format(at)}: ${formatPath(p.path) || '(file)'}: ${p.message}`)
      .join('\n');
  }

  private format({ line, col }: Position): string {
    return `${this.file}:${line}:${col}`;
  }

  private keyPositionOf(path: readonly PathSegment[]): Position {
    const parent = path.slice(0, -1);
    const key = path[path.length - 1];
    const map = this.doc.getIn(parent, true);
    if (isMap(map)) {
      const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return this.lines.linePos(pair.key.range[0]);
    }
    return this.positionOf(path);
  }

  private positionOf(path: readonly PathSegment[]): Position {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = this.doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return this.lines.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** A field name as the control plane gives it (`settings.headers.x`, `sources[1]`) as a path. */
export function pathOfField(field: string): PathSegment[] {
  return field
    .split(/\.|(?=\[)/)
    .filter(Boolean)
    .map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

export interface LoadedSpec {
  /** The whole file, when it is well-formed. */
  spec: WorkspaceSpec | undefined;
  /** Its well-formed parts, checked further even when others are not. */
  parts: SpecParts;
  problems: Problem[];
  locate: SpecLocator;
}

/**
 * Parses a workspace file and checks its form. `${NAME}` in a string is replaced with the
 * environment variable NAME, so secrets need not be written into the file. Only a YAML syntax
 * error stops here; every other problem is returned with the rest.
 */
export function loadSpec(text: string, file: string, env: NodeJS.ProcessEnv): LoadedSpec {
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
  const problems: Problem[] = [];
  const substituted = substitute(doc.toJS(), [], env, (path, name) =>
    problems.push({ path, message: `environment variable ${name} is not set` }),
  );
  const parsed = workspaceSpecSchema.safeParse(substituted);
  for (const issue of parsed.error?.issues ?? []) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: [...path, key], message: 'unknown field (not part of a workspace file)', atKey: true });
      }
      continue;
    }
    problems.push({ path, message: issue.message });
  }
  return { spec: parsed.data, parts: specParts(substituted), problems, locate };
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
