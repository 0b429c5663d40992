import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { CreatedInvitation, Invitation, Workspace } from '../../../src/api/types';
import { api, ApiError, formatTime, wsPath } from '../api';
import { CopyButton } from '../components/CopyButton';
import { DataTable } from '../components/DataTable';
import { ErrorNotice, FormField } from '../components/FormField';
import { usePageTitle } from '../components/usePageTitle';
import { useWorkspace } from '../components/WorkspaceLayout';

const ROLES = ['owner', 'member', 'read-only'] as const;

export function SettingsPage() {
  const workspace = useWorkspace();
  const isOwner = workspace.role === 'owner';
  const queryClient = useQueryClient();
  const onUpdate = (data: Workspace) => queryClient.setQueryData(['workspace', workspace.slug], data);
  const setRole = useMutation({
    mutationFn: ({ email, role }: { email: string; role: string }) =>
      api.put<Workspace>(wsPath(workspace.slug, 'members', email), { role }),
    onSuccess: onUpdate,
  });
  const remove = useMutation({
    mutationFn: (email: string) => api.delete(wsPath(workspace.slug, 'members', email)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['workspace', workspace.slug] }),
  });
  usePageTitle('Settings', workspace.name);

  return (
    <>
      <div className="page-header">
        <h1>Settings</h1>
        <Link to="/account">Your API tokens</Link>
      </div>
      <section className="card" aria-label="Members">
        <h2>Members</h2>
        <DataTable<Workspace['members'][number]>
          compact
          rows={workspace.members}
          rowKey={(m) => m.email}
          empty="No members."
          columns={[
            { id: 'email', header: 'Email', cell: (m) => m.email },
            {
              id: 'role',
              header: 'Role',
              cell: (m) =>
                isOwner ? (
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    onChange={(e) => setRole.mutate({ email: m.email, role: e.target.value })}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                ) : (
                  <span className={`role role-${m.role}`}>{m.role}</span>
                ),
            },
            {
              id: 'actions',
              header: '',
              cell: (m) =>
                isOwner ? (
                  <button className="link-button" onClick={() => remove.mutate(m.email)}>
                    Remove
                  </button>
                ) : null,
            },
          ]}
        />
        <ErrorNotice error={setRole.error ?? remove.error} />
      </section>
      {isOwner ? <Invitations /> : <p className="muted">Only owners can invite members and change roles.</p>}
    </>
  );
}

/** Inviting: the invitee joins through a link and chooses their own password; nobody sets it for them. */
function Invitations() {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const key = ['invitations', workspace.slug];
  const invitations = useQuery({
    queryKey: key,
    queryFn: () => api.get<{ invitations: Invitation[] }>(wsPath(workspace.slug, 'invitations')),
  });
  const [form, setForm] = useState({ email: '', role: 'member' });
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const invite = useMutation({
    mutationFn: () => api.post<CreatedInvitation>(wsPath(workspace.slug, 'invitations'), form),
    onSuccess: async (data) => {
      setCreated(data);
      setForm({ email: '', role: 'member' });
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(wsPath(workspace.slug, 'invitations', id)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const error = invite.error instanceof ApiError ? invite.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    invite.mutate();
  };
  return (
    <>
      <form className="card" onSubmit={submit} aria-label="Invite a member">
        <h2>Invite a member</h2>
        <p className="muted">
          They get a link that works once, for 7 days, and choose their own password there (or sign in, if they have an
          account).
        </p>
        <div className="row">
          <FormField label="Email" htmlFor="invite-email" error={error?.fieldMessage('email')}>
            <input
              id="invite-email"
              type="email"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
              required
            />
          </FormField>
          <FormField label="Role" htmlFor="invite-role" error={error?.fieldMessage('role')}>
            <select id="invite-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          </FormField>
        </div>
        {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
        {created?.link ? (
          <div className="notice notice-warning" data-testid="invitation-created">
            No mail server is set up for this console, so give this link to {created.email} yourself. It is shown only
            now, and works once until {formatTime(created.expiresAt)}:{' '}
            <code data-testid="invitation-link">{created.link}</code> <CopyButton text={created.link} />
          </div>
        ) : created ? (
          <div className="notice notice-success" data-testid="invitation-created">
            Invitation mailed to {created.email}.
          </div>
        ) : null}
        <button className="primary" type="submit" disabled={invite.isPending}>
          Send invitation
        </button>
      </form>
      <section className="card" aria-label="Pending invitations">
        <h2>Pending invitations</h2>
        <DataTable<Invitation>
          compact
          rows={invitations.data?.invitations}
          error={invitations.error}
          rowKey={(i) => i.id}
          rowAttributes={(i) => ({ 'data-invitation': i.email })}
          empty="None."
          columns={[
            { id: 'email', header: 'Email', cell: (i) => i.email },
            { id: 'role', header: 'Role', cell: (i) => i.role },
            { id: 'invitedBy', header: 'Invited by', cell: (i) => i.invitedBy },
            { id: 'expires', header: 'Expires', cell: (i) => (i.expired ? 'expired' : formatTime(i.expiresAt)) },
            {
              id: 'actions',
              header: '',
              cell: (i) => (
                <button className="link-button" onClick={() => revoke.mutate(i.id)}>
                  Revoke
                </button>
              ),
            },
          ]}
        />
        <ErrorNotice error={revoke.error} />
      </section>
    </>
  );
}
