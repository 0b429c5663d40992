// Reads k8s/ the way kustomize builds it, as far as the tests need: the base's resources, its
// generated ConfigMaps, and an overlay's generator changes (the tests run without kubectl;
// deploy/k8s/check.sh builds and applies the real thing).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const root = resolve(__dirname, '../..');
export const base = join(root, 'k8s/base');

export interface Container {
  name: string;
  image?: string;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name: string; containerPort: number }>;
}
export interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: { template?: { spec?: { containers?: Container[]; terminationGracePeriodSeconds?: number } } };
}
interface Generator {
  name: string;
  behavior?: string;
  envs?: string[];
  literals?: string[];
}
interface Kustomization {
  resources?: string[];
  nameSuffix?: string;
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  patches?: Array<{ patch?: string; path?: string }>;
}

export function kustomization(dir: string): Kustomization {
  return parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** Every object of the base's own YAML files (translator template included), unrendered. */
export function baseManifests(): Manifest[] {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const path = join(dir, f);
      if (statSync(path).isDirectory()) return files(path);
      return f.endsWith('.yaml') && f !== 'kustomization.yaml' && f !== 'pod-defaults.yaml' ? [path] : [];
    });
  return files(base)
    .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Manifest | null))
    .filter((m): m is Manifest => m !== null);
}

export function containerOf(m: Manifest): Container {
  const c = m.spec?.template?.spec?.containers?.[0];
  if (!c) throw new Error(`${m.metadata.name} has no container`);
  return c;
}

/** KEY=VALUE lines, as kustomize reads an env file (comments and blank lines skipped). */
export function envFile(path: string): Record<string, string> {
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return Object.fromEntries(entries);
}

function generated(dir: string, generator: Generator, exampleSecrets: boolean): Record<string, string> {
  const files = (generator.envs ?? []).map((f) => {
    const path = join(dir, f);
    return exampleSecrets && !existsSync(path) ? `${path}.example` : path;
  });
  return Object.assign(
    {},
    ...files.map(envFile),
    ...(generator.literals ?? []).map((l) => ({ [l.slice(0, l.indexOf('='))]: l.slice(l.indexOf('=') + 1) })),
  ) as Record<string, string>;
}

/**
 * The data of every generated ConfigMap and Secret of an overlay, by name: the base's, merged
 * with the overlay's (`behavior: merge`) or the overlay's own; secrets files that are not
 * committed are read from their `.example`.
 */
export function overlayData(overlay: string): Map<string, Record<string, string>> {
  const data = new Map<string, Record<string, string>>();
  for (const [dir, k] of [
    [base, kustomization(base)],
    [join(root, 'k8s/overlays', overlay), kustomization(join(root, 'k8s/overlays', overlay))],
  ] as const) {
    for (const g of [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])]) {
      data.set(g.name, { ...(g.behavior === 'merge' ? data.get(g.name) : {}), ...generated(dir, g, true) });
    }
  }
  return data;
}
