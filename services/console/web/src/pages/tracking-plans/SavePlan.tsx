import { useMutation } from '@tanstack/react-query';
import type { TrackingPlan, TrackingPlanPreview, TrackingPlanRules } from '../../../../src/api/types';
import { api, ApiError, wsPath } from '../../api';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { ErrorNotice } from '../../components/FormField';
import { PlanChanges } from './PlanChanges';

/**
 * Saving a plan's draft as its next version: "Review changes" shows what the draft changes from
 * the latest version and any problem a save would be refused for (nothing is saved), then "Save as
 * version N" saves it, refused when someone saved since the draft started.
 */
export function SavePlan(props: {
  plan: TrackingPlan;
  name: string;
  rules: TrackingPlanRules;
  dirty: boolean;
  onSaved(plan: TrackingPlan): void;
  onDiscard(): void;
  onProblems(problems: TrackingPlanPreview['problems']): void;
}) {
  const { plan } = props;
  const workspace = useWorkspace();
  const path = wsPath(workspace.slug, 'tracking-plans', plan.id);
  // What was reviewed: a later edit makes the review stale.
  const draftKey = JSON.stringify([props.name, props.rules]);
  const preview = useMutation({
    mutationFn: async (key: string) => ({
      key,
      result: await api.post<TrackingPlanPreview>(`${path}/preview`, { rules: props.rules }),
    }),
    onSuccess: ({ result }) => props.onProblems(result.problems),
  });
  const save = useMutation({
    mutationFn: () =>
      api.put<TrackingPlan>(path, { name: props.name, rules: props.rules, expectedVersion: plan.version }),
    onSuccess: props.onSaved,
    onError: (error) => {
      if (error instanceof ApiError) props.onProblems(error.fields);
    },
  });
  const reviewed = preview.data && preview.data.key === draftKey ? preview.data.result : undefined;
  const nameChanged = props.name !== plan.name;

  return (
    <section className="card" aria-labelledby="plan-save-heading">
      <h2 id="plan-save-heading">Save</h2>
      {!props.dirty ? <p className="muted">No unsaved changes: this is version {plan.version}.</p> : null}
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            save.reset();
            preview.mutate(draftKey);
          }}
          disabled={!props.dirty || preview.isPending}
        >
          Review changes
        </button>
        {reviewed ? (
          <button
            type="button"
            className="primary"
            onClick={() => save.mutate()}
            disabled={save.isPending || reviewed.problems.length > 0}
          >
            Save as version {plan.version + 1}
          </button>
        ) : null}
        {props.dirty ? (
          <button type="button" onClick={props.onDiscard}>
            Discard changes
          </button>
        ) : null}
      </div>
      <ErrorNotice error={preview.error ?? save.error} />
      {reviewed ? (
        <div aria-label="Changes to save" role="region">
          <h3>Changes from version {reviewed.latestVersion}</h3>
          {nameChanged ? (
            <p>
              Name: <code>{plan.name}</code> → <code>{props.name}</code>
            </p>
          ) : null}
          <PlanChanges changes={reviewed.changes} label="Draft changes" />
          {reviewed.problems.length > 0 ? (
            <div className="notice notice-error" role="alert">
              {reviewed.problems.length} problem{reviewed.problems.length === 1 ? '' : 's'} to fix before saving: shown
              on their event above.
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
