import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Problem } from './load-spec';
import type { SpecParts } from './workspace-spec';

/**
 * Each webhook source's signing secret, by its index in the file: `signingSecret` (usually
 * `${VAR}`, already taken from the environment) or the contents of `signingSecretFile` (a path
 * relative to the workspace file; surrounding whitespace trimmed, as `sources create
 * --signing-secret-file` does). A file that cannot be read is a problem naming the path, never
 * the secret.
 */
export async function readSigningSecrets(
  parts: SpecParts,
  workspaceFile: string,
): Promise<{ secrets: Map<number, string>; problems: Problem[] }> {
  const secrets = new Map<number, string>();
  const problems: Problem[] = [];
  await Promise.all(
    parts.sources.map(async (source, i) => {
      const webhook = source?.webhook;
      if (webhook?.signingSecret) secrets.set(i, webhook.signingSecret);
      if (!webhook?.signingSecretFile) return;
      const path = resolve(dirname(workspaceFile), webhook.signingSecretFile);
      try {
        const secret = (await readFile(path, 'utf8')).trim();
        if (secret) secrets.set(i, secret);
        else problems.push({ path: ['sources', i, 'webhook', 'signingSecretFile'], message: `${path} is empty` });
      } catch {
        problems.push({ path: ['sources', i, 'webhook', 'signingSecretFile'], message: `cannot read ${path}` });
      }
    }),
  );
  return { secrets, problems };
}
