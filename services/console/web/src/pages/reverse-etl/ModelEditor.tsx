import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { ModelPreview, ReverseEtlModel } from '../../../../src/api/types';
import { api, ApiError, wsPath } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { useCanWrite, useWorkspace } from '../../components/WorkspaceLayout';
import { useDestinations } from './ReverseEtlPage';
import { columnsKey, previewColumns } from './useModelColumns';

type ScheduleKind = 'manual' | 'interval' | 'cron';

/** The server's message for one field (its names are the proto's: identifier_column, schedule.cron). */
function fieldError(error: unknown, ...fields: string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.fields.find((f) => fields.some((name) => f.field === name || f.field.startsWith(`${name}.`)))?.message;
}

/** A model's SQL, identifier column, warehouse, schedule and status, with a preview of the query's result. */
export function ModelEditor({ model }: { model: ReverseEtlModel | undefined }) {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const destinations = useDestinations(workspace.slug);
  const warehouses = destinations.data?.destinations.filter((d) => d.warehouse) ?? [];
  const [name, setName] = useState(model?.name ?? '');
  const [warehouse, setWarehouse] = useState(model?.warehouseId ?? '');
  const [sql, setSql] = useState(model?.sql ?? '');
  const [identifier, setIdentifier] = useState(model?.identifierColumn ?? '');
  const [enabled, setEnabled] = useState(model?.enabled ?? true);
  const initialKind: ScheduleKind = model?.schedule.intervalSeconds
    ? 'interval'
    : model?.schedule.cron
      ? 'cron'
      : 'manual';
  const [kind, setKind] = useState<ScheduleKind>(initialKind);
  const [minutes, setMinutes] = useState(
    String(model?.schedule.intervalSeconds ? model.schedule.intervalSeconds / 60 : 60),
  );
  const [cron, setCron] = useState(model?.schedule.cron ?? '');
  const chosenWarehouse = warehouse || warehouses[0]?.id || '';

  const schedule = {
    intervalSeconds: kind === 'interval' ? Math.round(Number(minutes) * 60) : 0,
    cron: kind === 'cron' ? cron : '',
  };
  const save = useMutation({
    mutationFn: () =>
      model
        ? api.patch<ReverseEtlModel>(wsPath(workspace.slug, 'reverse-etl', 'models', model.id), {
            name,
            sql,
            identifierColumn: identifier,
            schedule,
            enabled,
          })
        : api.post<ReverseEtlModel>(wsPath(workspace.slug, 'reverse-etl', 'models'), {
            name,
            warehouse: chosenWarehouse,
            sql,
            identifierColumn: identifier,
            schedule,
            enabled,
          }),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['retl-models', workspace.slug] });
      if (!model) void navigate(`/${workspace.slug}/reverse-etl/${saved.id}`);
    },
  });
  const preview = useMutation({
    mutationFn: (sent: { warehouse: string; sql: string }) =>
      api.post<ModelPreview>(wsPath(workspace.slug, 'reverse-etl', 'preview'), sent),
    onSuccess: (data, sent) => {
      // A preview of the saved query gives the connection editor its columns.
      if (model && sent.sql === model.sql && sent.warehouse === model.warehouseId) {
        queryClient.setQueryData(columnsKey(workspace.slug, model), previewColumns(data));
      }
    },
  });
  const columns = preview.data ? previewColumns(preview.data) : [];

  return (
    <section className="card" aria-label="Model">
      <h2>Query</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <FormField label="Name" htmlFor="model-name" error={fieldError(save.error, 'name')}>
          <input id="model-name" value={name} onChange={(e) => setName(e.target.value)} disabled={!canWrite} />
        </FormField>
        <FormField label="Warehouse" htmlFor="model-warehouse" error={fieldError(save.error, 'warehouse')}>
          <select
            id="model-warehouse"
            value={chosenWarehouse}
            onChange={(e) => setWarehouse(e.target.value)}
            disabled={!canWrite || model !== undefined}
          >
            {warehouses.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="SQL" htmlFor="model-sql" error={fieldError(save.error, 'sql')}>
          <textarea id="model-sql" rows={6} value={sql} onChange={(e) => setSql(e.target.value)} disabled={!canWrite} />
        </FormField>
        <FormField
          label="Unique identifier column"
          htmlFor="model-identifier"
          error={fieldError(save.error, 'identifier_column')}
          hint="Identifies a row from one run's result to the next"
        >
          <input
            id="model-identifier"
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
            disabled={!canWrite}
          />
        </FormField>
        <FormField label="Schedule" htmlFor="model-schedule" error={fieldError(save.error, 'schedule')}>
          <select
            id="model-schedule"
            value={kind}
            onChange={(e) => setKind(e.target.value as ScheduleKind)}
            disabled={!canWrite}
          >
            <option value="manual">Manual (run now only)</option>
            <option value="interval">Every so many minutes</option>
            <option value="cron">Cron expression (UTC)</option>
          </select>
          {kind === 'interval' ? (
            <input
              aria-label="Minutes between runs"
              type="number"
              min={1}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
          ) : null}
          {kind === 'cron' ? (
            <input aria-label="Cron expression" value={cron} onChange={(e) => setCron(e.target.value)} />
          ) : null}
        </FormField>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
            disabled={!canWrite}
          />{' '}
          Enabled
        </label>
        <ErrorNotice
          error={
            save.error && !fieldError(save.error, 'name', 'warehouse', 'sql', 'identifier_column', 'schedule')
              ? save.error
              : null
          }
        />
        <div className="actions">
          <button
            type="button"
            onClick={() => preview.mutate({ warehouse: chosenWarehouse, sql })}
            disabled={!sql.trim() || !chosenWarehouse || preview.isPending}
          >
            Preview
          </button>
          {canWrite ? (
            <button type="submit" className="primary" disabled={save.isPending}>
              {model ? 'Save' : 'Create model'}
            </button>
          ) : null}
          {save.isSuccess && model ? <span className="muted">Saved.</span> : null}
        </div>
      </form>
      <ErrorNotice error={preview.error} />
      {preview.data ? (
        <div className="preview" aria-label="Preview">
          <p data-testid="preview-count">
            {preview.data.rowCount} row{preview.data.rowCount === 1 ? '' : 's'}
            {preview.data.rowCount > preview.data.rows.length ? ` (the first ${preview.data.rows.length} shown)` : ''}
          </p>
          <div className="table-scroll">
            <table className="data-table compact">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.data.rows.map((row, i) => (
                  <tr key={i}>
                    {columns.map((c) => (
                      <td key={c} data-label={c} className="wrap-anywhere">
                        {typeof row[c] === 'object' ? JSON.stringify(row[c]) : String(row[c] ?? '')}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  );
}
