import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogEntry, Destination } from '../../../../src/api/types';
import { eventPaths } from '../../../../src/shared/mappings/event-paths';
import { api, ApiError, wsPath, type FieldError } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { Loading } from '../../components/Loading';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { MappingEditor } from './MappingEditor';
import { MappingTester } from './MappingTester';
import { MappingVersions, type SavedMappings } from './MappingVersions';
import { draftOf, mappingOf, newDraft, problemsByMapping, type DraftMapping } from './draft';
import { useRecentEvents } from './useRecentEvents';

/** Paths every Spec event may have, suggested before any event was seen. */
const SPEC_PATHS = [
  'type',
  'event',
  'name',
  'userId',
  'anonymousId',
  'messageId',
  'timestamp',
  'properties',
  'traits',
  'context.ip',
  'context.page.url',
  'context.userAgent',
];

function move<T>(list: readonly T[], from: number, to: number): T[] {
  const next = list.slice();
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}

/**
 * A destination's mappings: which events run which of its actions and how their fields are
 * filled. Edited as a list (add, delete, reorder, enable) and one mapping at a time, then saved
 * as a whole: the server validates every mapping and names each problem's field, shown where it is.
 */
export function MappingsCard({ destination, canWrite }: { destination: Destination; canWrite: boolean }) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const path = wsPath(workspace.slug, 'destinations', destination.id, 'mappings');
  const entry = useQuery({
    queryKey: ['catalog-entry', workspace.slug, destination.catalogId],
    queryFn: () => api.get<CatalogEntry>(wsPath(workspace.slug, 'catalog', destination.catalogId)),
  });
  const saved = useQuery({ queryKey: ['mappings', path], queryFn: () => api.get<SavedMappings>(path) });
  const sources = destination.sourceIds.map((id, i) => ({ id, name: destination.sourceNames[i] ?? id }));
  const recent = useRecentEvents(workspace.slug, sources);

  const [drafts, setDrafts] = useState<DraftMapping[] | undefined>();
  const [openKey, setOpenKey] = useState<string | null>(null);
  const [serverErrors, setServerErrors] = useState<FieldError[]>([]);
  const [comment, setComment] = useState('');
  const [notice, setNotice] = useState('');
  const [toAdd, setToAdd] = useState('');
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  const closedKey = useRef<string | null>(null);

  useEffect(() => {
    if (saved.data && drafts === undefined) setDrafts(saved.data.mappings.map(draftOf));
  }, [saved.data, drafts]);

  // Opening a mapping moves focus into its editor; closing it puts focus back on its Edit button.
  useEffect(() => {
    if (openKey) document.getElementById(`mapping-${openKey}-title`)?.focus();
    else if (closedKey.current) editButtons.current.get(closedKey.current)?.focus();
  }, [openKey]);

  const actions = entry.data?.actions ?? [];
  const events = useMemo(() => (recent.data ?? []).map((e) => e.event), [recent.data]);
  const paths = useMemo(() => [...new Set([...SPEC_PATHS, ...eventPaths(events)])].sort(), [events]);
  const names = useMemo(() => {
    const seen = new Set<string>();
    for (const event of events as Array<Record<string, unknown> | null>) {
      for (const key of ['event', 'name']) if (typeof event?.[key] === 'string') seen.add(event[key] as string);
    }
    return [...seen].sort();
  }, [events]);

  const adopt = (data: SavedMappings, message: string) => {
    queryClient.setQueryData(['mappings', path], data);
    void queryClient.invalidateQueries({ queryKey: ['mapping-versions', path] });
    // Keys survive a save (same order), so an open editor stays open on its mapping.
    setDrafts((current) => data.mappings.map((m, i) => ({ ...draftOf(m), key: current?.[i]?.key ?? draftOf(m).key })));
    setServerErrors([]);
    setComment('');
    setNotice(message);
  };
  const save = useMutation({
    mutationFn: (mappings: ReturnType<typeof mappingOf>['mapping'][]) =>
      api.put<SavedMappings>(path, { mappings, comment, expectedVersion: saved.data?.version }),
    onSuccess: (data) => adopt(data, `Saved as version ${data.version}.`),
    onError: (error) => {
      const fields = error instanceof ApiError ? error.fields : [];
      setServerErrors(fields);
      setNotice('');
      const first = problemsByMapping(fields).keys().next().value;
      if (first !== undefined && first >= 0 && drafts?.[first] && openKey === null) setOpenKey(drafts[first].key);
    },
  });
  const reset = useMutation({
    mutationFn: () => api.post<SavedMappings>(`${path}/reset`, { comment: 'reset to the presets' }),
    onSuccess: (data) => {
      setOpenKey(null);
      adopt(data, `Reset to the presets (version ${data.version}).`);
    },
  });

  if (saved.error || entry.error) return <ErrorNotice error={saved.error ?? entry.error} />;
  if (!saved.data || !drafts || !entry.data) return <Loading what="the mappings" />;

  const built = drafts.map(mappingOf);
  const typedProblems = built.filter((b) => Object.keys(b.problems).length > 0).length;
  const dirty = JSON.stringify(built.map((b) => b.mapping)) !== JSON.stringify(saved.data.mappings);
  const problems = problemsByMapping(serverErrors);
  const general = problems.get(-1);
  const changeDrafts = (next: DraftMapping[]) => {
    setDrafts(next);
    setNotice('');
  };
  // A reorder, addition or deletion moves indexes: the server's problems no longer point right.
  const restructure = (next: DraftMapping[]) => {
    changeDrafts(next);
    setServerErrors([]);
  };
  const submit = () => {
    if (!dirty) {
      setNotice('Nothing to save: the mappings are as saved.');
      return;
    }
    if (typedProblems > 0) {
      const first = built.findIndex((b) => Object.keys(b.problems).length > 0);
      setOpenKey(drafts[first]!.key);
      setNotice('');
      return;
    }
    save.mutate(built.map((b) => b.mapping));
  };
  const close = () => {
    closedKey.current = openKey;
    setOpenKey(null);
  };
  const openIndex = drafts.findIndex((d) => d.key === openKey);
  const open = drafts[openIndex];
  const listId = `mappings-${destination.id}`;

  return (
    <section className="card mappings" aria-labelledby={`${listId}-title`}>
      <div className="section-header">
        <h2 id={`${listId}-title`}>Mappings</h2>
        {dirty ? <span className="badge badge-retrying">unsaved changes</span> : null}
        <span className="muted">version {saved.data.version}</span>
      </div>
      <p className="muted">
        Every enabled mapping whose trigger matches an event runs its action; an event no mapping matches is not sent
        (counted as filtered).
      </p>
      <datalist id={`${listId}-paths`}>
        {paths.map((p) => (
          <option key={p} value={`$.${p}`} />
        ))}
      </datalist>
      <datalist id={`${listId}-bare-paths`}>
        {paths.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <datalist id={`${listId}-names`}>
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      {drafts.length === 0 ? <p className="muted">No mappings: this destination receives nothing.</p> : null}
      <ol className="mapping-list" aria-label="Mappings in the order they run">
        {drafts.map((draft, index) => {
          const count =
            Object.keys(problems.get(index)?.fields ?? {}).length +
            Object.keys(problems.get(index)?.parts ?? {}).length +
            Object.keys(built[index]!.problems).length;
          const title = actions.find((a) => a.id === draft.action)?.title ?? draft.action;
          const name = draft.name || `Mapping ${index + 1}`;
          return (
            <li
              key={draft.key}
              className={`mapping-row${draft.key === openKey ? ' mapping-row-open' : ''}`}
              data-mapping={draft.name}
            >
              <div className="mapping-summary">
                <strong className="wrap-anywhere">{name}</strong>{' '}
                {draft.enabled ? null : <span className="badge badge-disabled">disabled</span>}
                {count > 0 ? (
                  <span className="badge badge-failed" data-testid="mapping-problems">
                    {count === 1 ? '1 problem' : `${count} problems`}
                  </span>
                ) : null}
                <div className="muted">{title}</div>
                <code className="wrap-anywhere mapping-trigger">{draft.trigger}</code>
              </div>
              <div className="actions">
                <label className="checkbox-label">
                  <input
                    type="checkbox"
                    aria-label={`${name} enabled`}
                    checked={draft.enabled}
                    disabled={!canWrite}
                    onChange={(e) =>
                      changeDrafts(drafts.map((d) => (d.key === draft.key ? { ...d, enabled: e.target.checked } : d)))
                    }
                  />
                  Enabled
                </label>
                <button
                  type="button"
                  ref={(el) => {
                    if (el) editButtons.current.set(draft.key, el);
                    else editButtons.current.delete(draft.key);
                  }}
                  aria-label={`${canWrite ? 'Edit' : 'View'} ${name}`}
                  aria-expanded={draft.key === openKey}
                  onClick={() => (draft.key === openKey ? close() : setOpenKey(draft.key))}
                >
                  {canWrite ? 'Edit' : 'View'}
                </button>
                {canWrite ? (
                  <>
                    <button
                      type="button"
                      aria-label={`Move ${name} up`}
                      disabled={index === 0}
                      onClick={() => restructure(move(drafts, index, index - 1))}
                    >
                      Up
                    </button>
                    <button
                      type="button"
                      aria-label={`Move ${name} down`}
                      disabled={index === drafts.length - 1}
                      onClick={() => restructure(move(drafts, index, index + 1))}
                    >
                      Down
                    </button>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Delete ${name}`}
                      onClick={() => {
                        if (draft.key === openKey) setOpenKey(null);
                        restructure(drafts.filter((d) => d.key !== draft.key));
                      }}
                    >
                      Delete
                    </button>
                  </>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
      {canWrite ? (
        <div className="row">
          <FormField label="New mapping for" htmlFor={`${listId}-add`}>
            <select id={`${listId}-add`} value={toAdd} onChange={(e) => setToAdd(e.target.value)}>
              <option value="">Choose an action…</option>
              {actions.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.title}
                </option>
              ))}
            </select>
          </FormField>
          <button
            type="button"
            className="field-button"
            disabled={!toAdd}
            onClick={() => {
              const action = actions.find((a) => a.id === toAdd);
              if (!action) return;
              const draft = newDraft(action);
              restructure([...drafts, draft]);
              setToAdd('');
              setOpenKey(draft.key);
            }}
          >
            Add mapping
          </button>
        </div>
      ) : null}
      {open ? (
        <MappingEditor
          key={open.key}
          draft={open}
          index={openIndex}
          actions={actions}
          onChange={(draft) => changeDrafts(drafts.map((d) => (d.key === draft.key ? draft : d)))}
          problems={problems.get(openIndex)}
          typed={built[openIndex]!.problems}
          pathsList={`${listId}-paths`}
          barePathsList={`${listId}-bare-paths`}
          namesList={`${listId}-names`}
          canWrite={canWrite}
          saving={save.isPending}
          onSave={submit}
          onClose={close}
        >
          <MappingTester
            path={wsPath(workspace.slug, 'destinations', destination.id)}
            idPrefix={`mapping-${open.key}-tester`}
            mapping={built[openIndex]!.mapping}
            unreadable={Object.keys(built[openIndex]!.problems).length > 0}
            recent={recent.data ?? []}
            recentError={recent.error}
            onRefresh={() => void recent.refetch()}
            canWrite={canWrite}
          />
        </MappingEditor>
      ) : null}
      {serverErrors.length > 0 ? (
        <div className="notice notice-error" role="alert" data-testid="mappings-refused">
          Not saved: {serverErrors.length === 1 ? 'one problem' : `${serverErrors.length} problems`}, marked where they
          are.
          {general ? (
            <ul>
              {Object.entries(general.parts).map(([where, message]) => (
                <li key={where}>{where ? `${where}: ${message}` : message}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {typedProblems > 0 ? (
        <p className="notice notice-warning">Some values are not readable yet; they are marked in the editor.</p>
      ) : null}
      <ErrorNotice error={serverErrors.length === 0 ? (save.error ?? reset.error) : reset.error} />
      {notice ? (
        <p className="notice notice-success" role="status">
          {notice}
        </p>
      ) : null}
      {canWrite ? (
        <div className="row mappings-save">
          <FormField label="Comment (optional)" htmlFor={`${listId}-comment`}>
            <input
              id={`${listId}-comment`}
              type="text"
              value={comment}
              maxLength={500}
              onChange={(e) => setComment(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') submit();
              }}
            />
          </FormField>
          <div className="actions">
            <button type="button" className="primary" disabled={!dirty || save.isPending} onClick={submit}>
              Save mappings
            </button>
            <button
              type="button"
              disabled={!dirty}
              onClick={() => {
                setOpenKey(null);
                setServerErrors([]);
                setDrafts(saved.data.mappings.map(draftOf));
              }}
            >
              Discard changes
            </button>
            <button
              type="button"
              disabled={reset.isPending}
              onClick={() => {
                if (window.confirm('Replace every mapping with the presets? The current ones stay in the history.')) {
                  reset.mutate();
                }
              }}
            >
              Reset to presets
            </button>
          </div>
        </div>
      ) : null}
      <MappingVersions
        path={path}
        current={saved.data.version}
        canWrite={canWrite}
        onRestored={(data) => {
          setOpenKey(null);
          adopt(data, `Version restored as version ${data.version}.`);
        }}
      />
    </section>
  );
}
