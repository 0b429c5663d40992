import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { Source, WebhookSettings, WriteKey } from '@manifold/proto';
import { CliError } from '../connection';
import { readDocument } from '../read-document';
import { printDone, printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';
import { collect, pageRequest, type ListOptions } from './list-options';

const row = (s: Source) => ({
  id: s.id,
  slug: s.slug,
  name: s.name,
  status: s.enabled ? 'enabled' : 'disabled',
  enabled: s.enabled,
  environment: s.environment,
  type: s.type,
  category: s.category,
  destinations: s.destinationNames,
  write_key: s.writeKeys[0]?.key ?? null,
  write_keys: s.writeKeys.map(writeKey),
  auto_disable_exempt: s.autoDisableExempt,
  created_at: s.createdAt ?? null,
  created_by: s.createdBy,
  // Where the app delivers: ingestion's address followed by this path.
  ...(s.webhook
    ? {
        webhook_kind: s.webhook.kind,
        // The stable path (the source's id); the write-key form keeps working but moves with the key.
        webhook_path: s.webhook.path ?? `/v1/webhook/${s.id}`,
        webhook_write_key_path: `/v1/webhook/${s.writeKeys[0]?.key ?? ''}`,
        signing_secret: s.webhook.signingSecret ?? null,
        previous_signing_secret: s.webhook.previousSigningSecret ?? null,
        previous_signing_secret_expires_at: s.webhook.previousSigningSecretExpiresAt ?? null,
        duplicate_window_seconds: s.webhook.duplicateWindowSeconds ?? null,
        mapping: s.webhook.mapping ?? null,
      }
    : {}),
});

interface WebhookOptions {
  webhookKind?: string;
  signingSecretFile?: string;
  removeSigningSecret?: boolean;
  removePreviousSigningSecret?: boolean;
  duplicateWindow?: string;
  mapping?: string;
}

/** A secret from a file, never from the command line (where `ps` and shell history would show it). */
async function readSecretFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    throw new CliError(`cannot read ${path}`);
  }
}

/** A whole number of seconds from an option, or a CliError naming the option. */
function seconds(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CliError(`${option} must be a whole number of seconds`);
  return n;
}

/**
 * A webhook source's settings from the options, or undefined when none is given. The secret is
 * read from a file, never taken on the command line (where `ps` and shell history would show it).
 */
async function webhookSettings(o: WebhookOptions, kindRequired: boolean): Promise<WebhookSettings | undefined> {
  const given =
    o.webhookKind ??
    o.signingSecretFile ??
    o.removeSigningSecret ??
    o.removePreviousSigningSecret ??
    o.duplicateWindow ??
    o.mapping;
  if (given === undefined) return undefined;
  if (!o.webhookKind) {
    if (kindRequired) throw new CliError('--webhook-kind is required with the other webhook options');
    throw new CliError('--webhook-kind is required to change a webhook source (give its kind again)');
  }
  let signingSecret: string | undefined;
  if (o.removeSigningSecret) signingSecret = '';
  else if (o.signingSecretFile) signingSecret = await readSecretFile(o.signingSecretFile);
  const mapping = o.mapping ? await readDocument(o.mapping) : undefined;
  if (mapping !== undefined && (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping))) {
    throw new CliError(`${o.mapping} must hold one object: the mapping of a delivery to a Spec call`);
  }
  return {
    kind: o.webhookKind,
    ...(signingSecret !== undefined ? { signingSecret } : {}),
    ...(o.removePreviousSigningSecret ? { previousSigningSecret: '' } : {}),
    ...(o.duplicateWindow !== undefined
      ? { duplicateWindowSeconds: seconds('--duplicate-window', o.duplicateWindow) }
      : {}),
    ...(mapping ? { mapping: mapping as Record<string, unknown> } : {}),
  };
}

const WEBHOOK_KIND_HELP = 'type webhook: stripe, github, shopify or generic';
const SECRET_FILE_HELP = "type webhook: a file holding the app's signing secret";
const MAPPING_HELP = 'type generic: a JSON or YAML file mapping a delivery to a Spec call';
const WINDOW_HELP =
  "type webhook: seconds a delivery's id is remembered, so retries arrive once (0 = the app's default)";

const writeKey = (k: WriteKey) => ({ key: k.key, created_at: k.createdAt ?? null, expires_at: k.expiresAt ?? null });

export function sourceCommands(program: Command, run: Runner, io: Io): void {
  const src = program.command('sources').alias('source').description('create, list, update and delete sources');
  src
    .command('create <workspace> <slug>')
    .description('create a source and print its write key')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--type <type>', 'javascript, node, python, go, ios, android, http, ...')
    .requiredOption('--category <category>', 'website, server, mobile, cloud app, warehouse')
    .option('--env <environment>', 'environment label', 'prod')
    .option('--webhook-kind <kind>', WEBHOOK_KIND_HELP)
    .option('--signing-secret-file <path>', SECRET_FILE_HELP)
    .option('--duplicate-window <seconds>', WINDOW_HELP)
    .option('--mapping <file>', MAPPING_HELP)
    .action(
      (
        workspace: string,
        slug: string,
        o: { name: string; type: string; category: string; env: string } & WebhookOptions,
      ) =>
        run(async (c, g) => {
          const webhook = await webhookSettings(o, true);
          const s = await c.sources.createSource({
            workspace,
            slug,
            name: o.name,
            type: o.type,
            category: o.category,
            environment: o.env,
            ...(webhook ? { webhook } : {}),
          });
          printRecord(io, row(s), g.json);
        }),
    );
  src
    .command('list <workspace>')
    .option(
      '--sort <field[:desc]>',
      'sort by status, environment, destinations, type, category, created_at, created_by, name',
      collect,
    )
    .option('--filter <field=v1,v2>', 'keep rows whose field is one of the values', collect)
    .action((workspace: string, o: ListOptions) =>
      run(async (c, g) => {
        const r = await c.sources.listSources({ workspace, page: pageRequest(o) });
        printTable(
          io,
          r.sources.map(row),
          ['slug', 'name', 'status', 'environment', 'type', 'category', 'destinations', 'write_key'],
          g.json,
        );
      }),
    );
  src
    .command('get <workspace> <source>')
    .action((workspace: string, source: string) =>
      run(async (c, g) => printRecord(io, row(await c.sources.getSource({ workspace, source })), g.json)),
    );
  src
    .command('update <workspace> <source>')
    .option('--name <name>')
    .option('--slug <slug>')
    .option('--env <environment>')
    .option('--category <category>')
    .option('--enable')
    .option('--disable')
    .option('--reason <why>', 'recorded with a status change', '')
    .option('--webhook-kind <kind>', WEBHOOK_KIND_HELP)
    .option('--signing-secret-file <path>', SECRET_FILE_HELP)
    .option('--remove-signing-secret', 'type webhook: stop verifying deliveries')
    .option('--remove-previous-signing-secret', 'type webhook: stop accepting the secret a rotation replaced')
    .option('--duplicate-window <seconds>', WINDOW_HELP)
    .option('--mapping <file>', MAPPING_HELP)
    .action(
      (
        workspace: string,
        source: string,
        o: {
          name?: string;
          slug?: string;
          env?: string;
          category?: string;
          enable?: boolean;
          disable?: boolean;
          reason: string;
        } & WebhookOptions,
      ) =>
        run(async (c, g) => {
          const enabled = o.enable ? true : o.disable ? false : undefined;
          const webhook = await webhookSettings(o, false);
          const s = await c.sources.updateSource({
            workspace,
            source,
            name: o.name,
            slug: o.slug,
            environment: o.env,
            category: o.category,
            enabled,
            reason: o.reason,
            ...(webhook ? { webhook } : {}),
          });
          printRecord(io, row(s), g.json);
        }),
    );
  src
    .command('rotate-key <workspace> <source>')
    .description('issue a new write key; the old one keeps working for the grace period')
    .option('--grace <seconds>', 'seconds the old key keeps working (0 = 24 h, -1 = none)', '0')
    .action((workspace: string, source: string, o: { grace: string }) =>
      run(async (c, g) => {
        const s = await c.sources.rotateWriteKey({ workspace, source, gracePeriodSeconds: Number(o.grace) });
        printTable(
          io,
          s.writeKeys.map(writeKey),
          ['key', { name: 'expires_at', cell: (k) => k.expires_at ?? 'never' }],
          g.json,
        );
      }),
    );
  src
    .command('rotate-signing-secret <workspace> <source>')
    .description('type webhook: a new signing secret; the old one is still accepted for the grace period')
    .requiredOption('--signing-secret-file <path>', "a file holding the app's new signing secret")
    .option('--grace <seconds>', 'seconds the old secret is still accepted (0 = 24 h, -1 = none)', '0')
    .action((workspace: string, source: string, o: { signingSecretFile: string; grace: string }) =>
      run(async (c, g) => {
        const grace = seconds('--grace', o.grace);
        const signingSecret = await readSecretFile(o.signingSecretFile);
        const saved = await c.sources.getSource({ workspace, source });
        if (!saved.webhook) throw new CliError(`${source} is not a webhook source`);
        // The kind and mapping as saved: an update replaces them.
        const { kind, mapping } = saved.webhook;
        const s = await c.sources.updateSource({
          workspace,
          source,
          reason: '',
          webhook: {
            kind,
            ...(mapping ? { mapping } : {}),
            signingSecret,
            ...(grace >= 0 ? { previousSecretGraceSeconds: grace } : {}),
          },
        });
        printRecord(io, row(s), g.json);
      }),
    );
  src.command('delete <workspace> <source>').action((workspace: string, source: string) =>
    run(async (c, g) => {
      await c.sources.deleteSource({ workspace, source });
      printDone(io, `deleted source ${source}`, { deleted: 'source', workspace, source }, g.json);
    }),
  );
}
