import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { Workspace } from '../../../src/api/types';
import { api, ApiError, wsPath } from '../api';
import { ErrorNotice, FormField } from '../components/FormField';
import { useWorkspace } from '../components/WorkspaceLayout';

export function SettingsPage() {
  const workspace = useWorkspace();
  const isOwner = workspace.role === 'owner';
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', role: 'member', password: '' });
  const onUpdate = (data: Workspace) => queryClient.setQueryData(['workspace', workspace.slug], data);
  const setMember = useMutation({
    mutationFn: () =>
      api.put<Workspace>(wsPath(workspace.slug, 'members', form.email), {
        role: form.role,
        ...(form.password ? { password: form.password } : {}),
      }),
    onSuccess: (data) => {
      setForm({ email: '', role: 'member', password: '' });
      onUpdate(data);
    },
  });
  const remove = useMutation({
    mutationFn: (email: string) => api.delete(wsPath(workspace.slug, 'members', email)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['workspace', workspace.slug] }),
  });
  const error = setMember.error instanceof ApiError ? setMember.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMember.mutate();
  };
  return (
    <>
      <div className="page-header">
        <h1>Settings</h1>
        <Link to="/account">Your API tokens</Link>
      </div>
      <section className="card" aria-label="Members">
        <h2>Members</h2>
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {workspace.members.map((m) => (
              <tr key={m.email}>
                <td>{m.email}</td>
                <td>
                  <span className={`role role-${m.role}`}>{m.role}</span>
                </td>
                <td>
                  {isOwner ? (
                    <button className="link-button" onClick={() => remove.mutate(m.email)}>
                      Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <ErrorNotice error={remove.error} />
      </section>
      {isOwner ? (
        <form className="card" onSubmit={submit} aria-label="Add member">
          <h2>Add a member or change a role</h2>
          <div className="row">
            <FormField label="Email" htmlFor="member-email" error={error?.fieldMessage('email')}>
              <input
                id="member-email"
                type="email"
                value={form.email}
                onChange={(e) => setForm({ ...form, email: e.target.value })}
                required
              />
            </FormField>
            <FormField label="Role" htmlFor="member-role" error={error?.fieldMessage('role')}>
              <select id="member-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
                <option value="owner">owner</option>
                <option value="member">member</option>
                <option value="read-only">read-only</option>
              </select>
            </FormField>
            <FormField
              label="First password"
              htmlFor="member-password"
              error={error?.fieldMessage('password')}
              hint="Only for someone without an account yet"
            >
              <input
                id="member-password"
                type="password"
                autoComplete="new-password"
                value={form.password}
                onChange={(e) => setForm({ ...form, password: e.target.value })}
              />
            </FormField>
          </div>
          {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
          <button className="primary" type="submit" disabled={setMember.isPending}>
            Save member
          </button>
        </form>
      ) : (
        <p className="muted">Only owners can change members.</p>
      )}
    </>
  );
}
