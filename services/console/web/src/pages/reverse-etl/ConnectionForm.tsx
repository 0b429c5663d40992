import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type {
  CatalogEntry,
  ReverseEtlConnection,
  ReverseEtlModel,
  SuggestedConnectionFields,
} from '../../../../src/api/types';
import type { FieldSource } from '../../../../src/shared/mappings/field-source';
import { api, ApiError, wsPath } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { ActionFields } from '../mappings/ActionFields';
import { ActionSelect } from '../mappings/ActionSelect';
import { fieldsOf, problemsOfOne, sourcesOf } from '../mappings/draft';
import { useDestinations } from './ReverseEtlPage';
import { useModelColumns } from './useModelColumns';

const CHANGE_KINDS = ['added', 'updated', 'deleted'] as const;

/** Parts of a connection the form shows a problem next to; the server's others are listed under it. */
const SHOWN_PARTS = ['destination', 'change_kinds', 'action', 'rows_per_second'];

/** Paths of a row change's event besides the row's columns (see the runner's README). */
const EVENT_PATHS = ['$.properties', '$.event', '$.context.reverseEtl.changeKind', '$.context.reverseEtl.key'];

/**
 * A model's connection to a destination, new or changed: the destination (fixed once connected),
 * the row changes it takes, the destination's action and that action's fields in the mapping
 * editor the destination page uses, whose "Event field" offers the model's columns (from a
 * preview of its query) as `$.properties.<column>`. Problems are shown on what they are about:
 * values the editor cannot read before anything is sent, the server's on their field.
 */
export function ConnectionForm(props: {
  model: ReverseEtlModel;
  /** The connection to change; a new one when undefined. */
  connection?: ReverseEtlConnection;
  onDone?(): void;
}) {
  const { model, connection } = props;
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const destinations = useDestinations(workspace.slug);
  const targets = destinations.data?.destinations.filter((d) => !d.warehouse) ?? [];
  const [destination, setDestination] = useState(connection?.destinationId ?? '');
  const [kinds, setKinds] = useState<string[]>(connection?.changeKinds ?? ['added', 'updated']);
  const [action, setAction] = useState(connection?.action ?? '');
  const [sources, setSources] = useState<Record<string, FieldSource>>(sourcesOf(connection?.fields ?? {}));
  const [rowsPerSecond, setRowsPerSecond] = useState(String(connection?.rowsPerSecond ?? 100));
  const [typed, setTyped] = useState<Record<string, string>>({});
  // Whether the user changed a field since the destination or action was chosen: until then a new
  // connection's fields show the server's suggestion.
  const [touched, setTouched] = useState(false);
  const chosen = targets.find((d) => d.id === destination) ?? (connection ? undefined : targets[0]);
  const entry = useQuery({
    queryKey: ['catalog-entry', workspace.slug, chosen?.catalogId],
    queryFn: () => api.get<CatalogEntry>(wsPath(workspace.slug, 'catalog', chosen!.catalogId)),
    enabled: chosen !== undefined,
  });
  const columns = useModelColumns(workspace.slug, model, true);
  const actions = entry.data?.actions ?? [];
  const chosenAction = action || actions[0]?.id || '';
  const idPrefix = connection ? `connection-${connection.id}` : 'connection-new';
  const modelPath = wsPath(workspace.slug, 'reverse-etl', 'models', model.id);
  // A new connection starts with the fields named as a column mapped from it, shown before saving
  // (the same suggestion the server applies to a connection saved with none), from the columns the
  // form already has: no second query of the warehouse. A query with no rows suggests nothing.
  const suggestion = useQuery({
    queryKey: ['retl-suggested-fields', workspace.slug, model.id, chosen?.id, chosenAction, columns.data],
    queryFn: () =>
      api.post<SuggestedConnectionFields>(`${modelPath}/suggested-fields`, {
        destination: chosen!.id,
        action: chosenAction,
        columns: columns.data,
      }),
    enabled: connection === undefined && chosen !== undefined && chosenAction !== '' && (columns.data?.length ?? 0) > 0,
    staleTime: Infinity,
    retry: false,
  });
  useEffect(() => {
    if (connection === undefined && !touched && suggestion.data) setSources(sourcesOf(suggestion.data.fields));
  }, [connection, touched, suggestion.data]);

  const save = useMutation({
    mutationFn: (fields: Record<string, unknown>) => {
      const body = { changeKinds: kinds, action: chosenAction, fields, rowsPerSecond: Number(rowsPerSecond) };
      return connection
        ? api.patch<ReverseEtlConnection>(`${modelPath}/connections/${encodeURIComponent(connection.id)}`, body)
        : api.post<ReverseEtlConnection>(`${modelPath}/connections`, { destination: chosen?.id ?? '', ...body });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['retl-connections', workspace.slug, model.id] });
      if (!connection) {
        setSources({});
        setAction('');
        setTouched(false);
      }
      props.onDone?.();
    },
  });
  const submit = () => {
    const built = fieldsOf(sources);
    setTyped(built.problems);
    if (Object.keys(built.problems).length === 0) save.mutate(built.fields);
  };
  const server = problemsOfOne(save.error instanceof ApiError ? save.error.fields : []);
  const otherProblems = Object.entries(server.parts).filter(([part]) => !SHOWN_PARTS.includes(part));
  const columnPaths = (columns.data ?? []).map((c) => `$.properties.${c}`);

  return (
    <form
      aria-label={connection ? 'Edit connection' : 'New connection'}
      className="mapping-editor"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>{connection ? `Connection to ${chosen?.name ?? connection.destinationId}` : 'Connect a destination'}</h3>
      <datalist id={`${idPrefix}-paths`}>
        {[...columnPaths, ...EVENT_PATHS].map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <div className="row">
        <FormField label="Destination" htmlFor={`${idPrefix}-destination`} error={server.parts['destination']}>
          <select
            id={`${idPrefix}-destination`}
            value={chosen?.id ?? destination}
            disabled={connection !== undefined}
            onChange={(e) => {
              if (e.target.value === (chosen?.id ?? destination)) return;
              setDestination(e.target.value);
              // Another destination has other actions: its fields start again (from its suggestion).
              setAction('');
              setSources({});
              setTouched(false);
            }}
          >
            {chosen ? null : <option value={destination}>{destination}</option>}
            {targets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </FormField>
        <ActionSelect
          id={`${idPrefix}-action`}
          actions={actions}
          value={chosenAction}
          onChange={(next) => {
            // The action already chosen (the destination's first, by default) keeps its fields: its
            // suggestion may have arrived already, and would not be applied again.
            if (next.id === chosenAction) return;
            setAction(next.id);
            setSources({});
            setTouched(false);
          }}
          error={server.parts['action']}
          disabled={false}
        />
        <FormField label="Rows per second" htmlFor={`${idPrefix}-rate`} error={server.parts['rows_per_second']}>
          <input
            id={`${idPrefix}-rate`}
            type="number"
            min={1}
            value={rowsPerSecond}
            onChange={(e) => setRowsPerSecond(e.target.value)}
          />
        </FormField>
      </div>
      <fieldset aria-describedby={server.parts['change_kinds'] ? `${idPrefix}-kinds-error` : undefined}>
        <legend>Row changes sent</legend>
        {CHANGE_KINDS.map((kind) => (
          <label key={kind} className="checkbox">
            <input
              type="checkbox"
              checked={kinds.includes(kind)}
              onChange={(e) => setKinds(e.target.checked ? [...kinds, kind] : kinds.filter((k) => k !== kind))}
            />{' '}
            {kind}
          </label>
        ))}
        {server.parts['change_kinds'] ? (
          <div className="field-error" id={`${idPrefix}-kinds-error`}>
            {server.parts['change_kinds']}
          </div>
        ) : null}
      </fieldset>
      <ActionFields
        idPrefix={idPrefix}
        action={actions.find((a) => a.id === chosenAction)}
        actionId={chosenAction}
        sources={sources}
        onChange={(next) => {
          setSources(next);
          setTyped({});
          setTouched(true);
        }}
        errors={{ ...server.fields, ...typed }}
        pathsList={`${idPrefix}-paths`}
        hint={
          <>
            * required. Each row change is an event whose <code>$.properties</code> is the row: “Event field” offers the
            model&apos;s columns as <code>$.properties.column</code>
            {columns.data
              ? columns.data.length === 0
                ? ' (the preview has no rows, so type them)'
                : ' (from a preview of its query)'
              : ''}
            , and <code>$.event</code> is new, updated or deleted; a template fills{' '}
            <code>{'{{properties.column}}'}</code>; a Liquid template renders with filters and conditions (
            <code>{'{{ properties.plan | upcase }}'}</code>); “Mapping (JSON)” takes any mapping directive (@if, @case,
            @replace…).
            {connection
              ? null
              : ' Each field named as a column (first_name = firstName) starts mapped from it: change it before connecting.'}
          </>
        }
        disabled={false}
      />
      {columns.error ? (
        <p className="hint" data-testid="columns-unknown">
          The model&apos;s columns could not be read ({columns.error.message}): type their paths.
        </p>
      ) : null}
      {otherProblems.length > 0 ? (
        <ul className="plain-list field-error" role="alert">
          {otherProblems.map(([part, message]) => (
            <li key={part}>{part ? `${part}: ${message}` : message}</li>
          ))}
        </ul>
      ) : null}
      {save.error instanceof ApiError && save.error.fields.length > 0 ? (
        <p className="notice notice-error" role="alert" data-testid="connection-refused">
          Not saved: {save.error.fields.length === 1 ? 'one problem' : `${save.error.fields.length} problems`}, marked
          where they are.
        </p>
      ) : (
        <ErrorNotice error={save.error} />
      )}
      {Object.keys(typed).length > 0 ? (
        <p className="notice notice-error" role="alert">
          Not saved: some values cannot be read, marked where they are.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending || !chosen || kinds.length === 0}>
          {connection ? 'Save connection' : 'Connect'}
        </button>
        {props.onDone && connection ? (
          <button type="button" onClick={props.onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
