import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { WebhookMappingPreview } from '../../../../src/api/types';
import { api, ApiError, wsPath } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { genericMapping, PATH_FIELDS, type GenericMappingDraft } from './generic-webhook-mapping';

const SAMPLE_PAYLOAD =
  '{\n  "type": "Ticket Created",\n  "user": { "id": "u-1" },\n  "data": { "priority": "high" }\n}';

/**
 * The generic webhook source's part of the new-source form: which JSON path of a delivery gives
 * each common field of the Spec call, directives for the rest, and a preview of what ingestion
 * makes of a sample delivery (run by the control plane with ingestion's own mapping code).
 */
export function GenericWebhookMapping(props: {
  value: GenericMappingDraft;
  onChange(value: GenericMappingDraft): void;
  /** The server's message for a field of the saved source (`webhook.mapping...`). */
  fieldError(field: string): string | undefined;
}) {
  const { value, onChange } = props;
  const workspace = useWorkspace();
  const [payload, setPayload] = useState(SAMPLE_PAYLOAD);
  const built = genericMapping(value);
  const preview = useMutation({
    mutationFn: () =>
      api.post<WebhookMappingPreview>(wsPath(workspace.slug, 'sources', 'webhook-mapping-preview'), {
        mapping: 'mapping' in built ? built.mapping : {},
        payload,
      }),
  });
  const previewError = preview.error instanceof ApiError ? preview.error : undefined;
  const mappingError = (field: string) =>
    props.fieldError(`webhook.mapping.${field}`) ?? previewError?.fieldMessage(`webhook.mapping.${field}`);
  const otherMappingError = [props.fieldError('webhook.mapping'), previewError?.fieldMessage('webhook.mapping')]
    .concat(
      [...(previewError?.fields ?? [])]
        .filter(
          (f) =>
            f.field.startsWith('webhook.mapping.') && !PATH_FIELDS.some(([k]) => f.field === `webhook.mapping.${k}`),
        )
        .map((f) => `${f.field.slice('webhook.mapping.'.length)}: ${f.message}`),
    )
    .filter(Boolean)
    .join('; ');
  return (
    <fieldset className="card generic-webhook-mapping" aria-label="Generic webhook mapping">
      <legend>Mapping: delivery JSON → Spec call</legend>
      <div className="row">
        {PATH_FIELDS.map(([field, label]) => (
          <FormField key={field} label={`${label} path`} htmlFor={`generic-${field}`} error={mappingError(field)}>
            <input
              id={`generic-${field}`}
              placeholder="$.path.in.delivery"
              value={value[field]}
              onChange={(e) => onChange({ ...value, [field]: e.target.value })}
            />
          </FormField>
        ))}
      </div>
      <FormField
        label="Other fields (directives, JSON)"
        htmlFor="generic-directives"
        error={'error' in built ? built.error : otherMappingError || undefined}
        hint='e.g. {"type": "identify", "traits": {"@path": "$.customer"}}; a key here wins over a path above'
      >
        <textarea
          id="generic-directives"
          rows={4}
          spellCheck={false}
          value={value.directives}
          onChange={(e) => onChange({ ...value, directives: e.target.value })}
        />
      </FormField>
      <FormField label="Sample payload" htmlFor="generic-sample" error={previewError?.fieldMessage('payload')}>
        <textarea
          id="generic-sample"
          rows={6}
          spellCheck={false}
          value={payload}
          onChange={(e) => setPayload(e.target.value)}
        />
      </FormField>
      <div className="actions">
        <button type="button" onClick={() => preview.mutate()} disabled={'error' in built || preview.isPending}>
          Test with sample payload
        </button>
      </div>
      {previewError && previewError.fields.length === 0 ? <ErrorNotice error={previewError} /> : null}
      {preview.data ? (
        preview.data.error ? (
          <div className="notice notice-error" role="alert" aria-label="Mapping preview">
            The mapping fails on this payload: {preview.data.error}
          </div>
        ) : (
          <pre className="mapping-preview" aria-label="Mapping preview">
            {JSON.stringify(preview.data.call, null, 2)}
          </pre>
        )
      ) : null}
    </fieldset>
  );
}
