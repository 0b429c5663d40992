import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { analyticsSnippet } from '../../../src/shared/snippet';
import type { Source } from '../../../src/api/types';
import { api, ApiError, formatTime, wsPath } from '../api';
import { CopyButton } from '../components/CopyButton';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/FormField';
import { LiveDebugger } from '../components/LiveDebugger';
import { Loading } from '../components/Loading';
import { PlanViolationsPanel } from '../components/PlanViolationsPanel';
import { SigningSecretForm } from '../components/SigningSecretForm';
import { usePageTitle } from '../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';
import { useConsoleConfig } from '../session';
import { NotFoundPage } from './NotFoundPage';

const APP_NAMES: Record<string, string> = {
  stripe: 'Stripe',
  github: 'GitHub',
  shopify: 'Shopify',
  generic: 'your app',
};

/**
 * Where a webhook source's app delivers, in place of the snippet other sources show: the stable
 * URL (the source's id), which rotating the write key does not change.
 */
function WebhookUrlCard({
  kind,
  url,
  verified,
  previousSecretUntil,
  children,
}: {
  kind: string;
  url: string;
  verified: boolean;
  previousSecretUntil: string | null | undefined;
  /** The signing-secret form, for those who may change the source. */
  children?: ReactNode;
}) {
  return (
    <section className="card" aria-label="Webhook URL">
      <div className="section-header">
        <h2>Webhook URL</h2>
        <CopyButton text={url} label="Copy webhook URL" />
      </div>
      <p className="muted">
        Give this URL to {APP_NAMES[kind] ?? kind} as its webhook endpoint.{' '}
        {verified
          ? 'Deliveries are checked against the signing secret; a missing or wrong signature is refused and shows below as rejected.'
          : 'No signing secret is set: deliveries are not verified.'}
        {previousSecretUntil ? (
          <span data-testid="previous-secret">
            {' '}
            The secret replaced by the last rotation is still accepted until {formatTime(previousSecretUntil)}.
          </span>
        ) : null}
      </p>
      <pre className="snippet" data-testid="webhook-url">
        {url}
      </pre>
      {children}
    </section>
  );
}

function AutoDisableNotice({
  source,
  onToggle,
  canWrite,
}: {
  source: Source;
  onToggle(exempt: boolean): void;
  canWrite: boolean;
}) {
  // Local state so the box follows the click in the same render; the server's answer then settles it.
  const [exempt, setExempt] = useState(source.autoDisableExempt);
  useEffect(() => setExempt(source.autoDisableExempt), [source.autoDisableExempt]);
  return (
    <section className="card" aria-label="Auto-disable">
      <h2>Auto-disable</h2>
      {source.autoDisableDueAt ? (
        <div className="notice notice-warning" data-testid="auto-disable-warning">
          This source has had no enabled destination since {formatTime(source.withoutDestinationSince)}. Sources without
          one are disabled automatically: this one on {formatTime(source.autoDisableDueAt)}.
          {source.autoDisableWarnedAt ? ` The owners were warned on ${formatTime(source.autoDisableWarnedAt)}.` : ''}
        </div>
      ) : null}
      <label className="toggle">
        <input
          type="checkbox"
          name="auto-disable-exempt"
          checked={exempt}
          disabled={!canWrite}
          onChange={(e) => {
            setExempt(e.target.checked);
            onToggle(e.target.checked);
          }}
        />
        Exception: never auto-disable this source
      </label>
    </section>
  );
}

export function SourcePage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const { source: slug = '' } = useParams();
  const queryClient = useQueryClient();
  const config = useConsoleConfig();
  const path = wsPath(workspace.slug, 'sources', slug);
  const source = useQuery({ queryKey: ['source', workspace.slug, slug], queryFn: () => api.get<Source>(path) });
  const update = (data: Source) => {
    queryClient.setQueryData(['source', workspace.slug, slug], data);
    void queryClient.invalidateQueries({ queryKey: ['list'] });
  };
  const [reason, setReason] = useState('');
  const setEnabled = useMutation({
    mutationFn: (enabled: boolean) => api.patch<Source>(path, { enabled, reason }),
    onSuccess: (data) => {
      setReason('');
      update(data);
    },
  });
  const rotate = useMutation({
    mutationFn: () => api.post<Source>(`${path}/write-keys/rotate`, {}),
    onSuccess: update,
  });
  // The kind and a generic source's mapping go with the secret: an update of `webhook` replaces them.
  const setSigningSecret = useMutation({
    mutationFn: ({ secret, graceSeconds }: { secret: string; graceSeconds: number | undefined }) => {
      const saved = source.data?.webhook;
      if (!saved) throw new Error('not a webhook source');
      return api.patch<Source>(path, {
        webhook: {
          kind: saved.kind,
          ...(saved.mapping ? { mapping: saved.mapping } : {}),
          signingSecret: secret,
          // No grace period: the secret it replaces stops at once, and so does one an earlier
          // rotation kept (a leaked secret is why one would choose this).
          ...(graceSeconds !== undefined
            ? { previousSecretGraceSeconds: graceSeconds }
            : { previousSigningSecret: '' }),
        },
      });
    },
    onSuccess: update,
  });
  const key = ['source', workspace.slug, slug];
  const exempt = useMutation({
    mutationFn: (value: boolean) => api.put<Source>(`${path}/auto-disable-exception`, { exempt: value }),
    // The checkbox follows the click at once; the saved state comes back from the server.
    onMutate: (value) => {
      const previous = queryClient.getQueryData<Source>(key);
      if (previous) queryClient.setQueryData(key, { ...previous, autoDisableExempt: value });
      return { previous };
    },
    onError: (_error, _value, context) => queryClient.setQueryData(key, context?.previous),
    onSuccess: update,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(path),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['list'] });
      void navigate(`/${workspace.slug}/sources`);
    },
  });
  usePageTitle(source.data?.name ?? slug, 'Sources', workspace.name);

  if (source.error instanceof ApiError && source.error.status === 404) return <NotFoundPage />;
  if (source.error) return <ErrorNotice error={source.error} />;
  if (!source.data) return <Loading what="the source" />;

  const s = source.data;
  const currentKey = s.writeKeys[0]?.key ?? '';
  const snippet = config.data ? analyticsSnippet(currentKey, config.data.ingestionPublicUrl) : '';

  return (
    <>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to={`/${workspace.slug}/sources`}>Sources</Link> /
          </div>
          <h1>
            {s.name}{' '}
            <span className={`badge badge-${s.enabled ? 'enabled' : 'disabled'}`}>
              {s.enabled ? 'enabled' : 'disabled'}
            </span>
          </h1>
          <p className="muted">
            {s.type} · {s.category} · {s.environment} · created {formatTime(s.createdAt)} by {s.createdBy}
          </p>
        </div>
        {canWrite ? (
          <div className="actions">
            <input
              placeholder="Reason (optional)"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-label="Reason"
            />
            <button onClick={() => setEnabled.mutate(!s.enabled)}>{s.enabled ? 'Disable' : 'Enable'}</button>
            <button
              className="danger"
              onClick={() => {
                if (window.confirm(`Delete the source ${s.name}?`)) remove.mutate();
              }}
            >
              Delete
            </button>
          </div>
        ) : null}
      </div>
      <ErrorNotice error={setEnabled.error ?? rotate.error ?? exempt.error ?? remove.error} />

      <div className="grid-2">
        <section className="card" aria-label="Write key">
          <h2>Write key</h2>
          <div className="key-row">
            <code data-testid="write-key">{currentKey}</code>
            <CopyButton text={currentKey} label="Copy write key" />
            {canWrite ? (
              <button
                onClick={() => {
                  if (window.confirm('Issue a new write key? The current one keeps working for 24 hours.'))
                    rotate.mutate();
                }}
              >
                Rotate
              </button>
            ) : null}
          </div>
          {s.writeKeys.slice(1).map((key) => (
            <p key={key.key} className="muted">
              Previous key <code>{key.key}</code> works until {formatTime(key.expiresAt)}.
            </p>
          ))}
        </section>

        <section className="card" aria-label="Connected destinations">
          <h2>Connected destinations</h2>
          {s.destinationIds.length === 0 ? <p className="muted">None yet.</p> : null}
          <ul>
            {s.destinationIds.map((id, i) => (
              <li key={id}>
                <Link to={`/${workspace.slug}/destinations/${id}`}>{s.destinationNames[i] ?? id}</Link>
              </li>
            ))}
          </ul>
          {canWrite ? <Link to={`/${workspace.slug}/catalog`}>Add a destination</Link> : null}
        </section>
      </div>

      {s.webhook ? (
        <WebhookUrlCard
          kind={s.webhook.kind}
          url={
            config.data
              ? `${config.data.ingestionPublicUrl.replace(/\/$/, '')}${s.webhook.path ?? `/v1/webhook/${s.id}`}`
              : ''
          }
          verified={Boolean(s.webhook.signingSecret)}
          previousSecretUntil={s.webhook.previousSigningSecretExpiresAt}
        >
          {canWrite ? (
            <SigningSecretForm
              hasSecret={Boolean(s.webhook.signingSecret)}
              busy={setSigningSecret.isPending}
              error={setSigningSecret.error}
              onSubmit={(secret, graceSeconds) => setSigningSecret.mutate({ secret, graceSeconds })}
            />
          ) : null}
        </WebhookUrlCard>
      ) : (
        <section className="card" aria-label="Snippet">
          <div className="section-header">
            <h2>analytics.js snippet</h2>
            <CopyButton text={snippet} label="Copy snippet" />
          </div>
          <p className="muted">
            Paste it into the &lt;head&gt; of your site. It loads analytics.js from this installation.
          </p>
          <pre className="snippet" data-testid="snippet">
            {snippet}
          </pre>
        </section>
      )}

      <LiveDebugger
        streamUrl={`${path}/debugger`}
        traceUrl={(messageId) => `/${workspace.slug}/traces/${encodeURIComponent(messageId)}`}
      />

      <PlanViolationsPanel violationsUrl={`${path}/plan-violations`} />

      <AutoDisableNotice source={s} canWrite={canWrite} onToggle={(value) => exempt.mutate(value)} />

      <section className="card" aria-label="Status history">
        <h2>Status history</h2>
        <DataTable<Source['statusHistory'][number]>
          compact
          rows={[...s.statusHistory].reverse()}
          rowKey={(_change, index) => String(index)}

          empty="No changes yet."
          columns={[
            { id: 'when', header: 'When', cell: (change) => formatTime(change.changedAt) },
            {
              id: 'status',
              header: 'Status',
              cell: (change) => <span className={`badge badge-${change.status}`}>{change.status}</span>,
            },
            { id: 'by', header: 'By', cell: (change) => change.changedBy },
            { id: 'reason', header: 'Reason', cell: (change) => change.reason || <span className="muted">—</span> },
          ]}
        />
      </section>
    </>
  );
}
