import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { TrackingPlan, TrackingPlanRules } from '../../../../src/api/types';
import { api, ApiError, wsPath, type FieldError } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { Loading } from '../../components/Loading';
import { PlanViolationsPanel } from '../../components/PlanViolationsPanel';
import { usePageTitle } from '../../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../../components/WorkspaceLayout';
import { DeletePlan } from './DeletePlan';
import { GeneratePlan } from './GeneratePlan';
import { EMPTY_RULES, plansKey } from './plan-queries';
import { PlanEvents } from './PlanEvents';
import { PlanPolicies } from './PlanPolicies';
import { PlanSources } from './PlanSources';
import { PlanVersions } from './PlanVersions';
import { SavePlan } from './SavePlan';

const planKey = (workspace: string, id: string) => ['tracking-plan', workspace, id];

/** A plan's page: `new` for a plan not saved yet, else its latest version, edited as a draft. */
export function PlanPage({ planId }: { planId: string }) {
  const workspace = useWorkspace();
  const plan = useQuery({
    queryKey: planKey(workspace.slug, planId),
    queryFn: () => api.get<TrackingPlan>(wsPath(workspace.slug, 'tracking-plans', planId)),
    enabled: planId !== 'new',
  });
  usePageTitle(plan.data?.name ?? (planId === 'new' ? 'New plan' : undefined), 'Tracking plans', workspace.name);
  return (
    <>
      <div className="page-header">
        <h1>{planId === 'new' ? 'New tracking plan' : (plan.data?.name ?? 'Tracking plan')}</h1>
        <Link to={`/${workspace.slug}/tracking-plans`}>All tracking plans</Link>
      </div>
      <ErrorNotice error={plan.error} />
      {planId === 'new' ? <PlanDraft plan={undefined} /> : null}
      {plan.isLoading ? <Loading what="the plan" /> : null}
      {/* A new version (saved, restored, a source connected) starts a new draft from it. */}
      {plan.data ? <PlanDraft key={`${plan.data.id}:${plan.data.version}`} plan={plan.data} /> : null}
    </>
  );
}

/** The draft of a plan: its name, schemas and policies, changed here until saved. */
function PlanDraft({ plan }: { plan: TrackingPlan | undefined }) {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState(plan?.name ?? '');
  const [rules, setRules] = useState<TrackingPlanRules>(plan?.rules ?? EMPTY_RULES);
  const [problems, setProblems] = useState<FieldError[]>([]);
  const dirty = !plan || name !== plan.name || JSON.stringify(rules) !== JSON.stringify(plan.rules);

  const showSaved = async (saved: TrackingPlan) => {
    queryClient.setQueryData(planKey(workspace.slug, saved.id), saved);
    await queryClient.invalidateQueries({ queryKey: plansKey(workspace.slug) });
  };
  const create = useMutation({
    mutationFn: () => api.post<TrackingPlan>(wsPath(workspace.slug, 'tracking-plans'), { name, rules }),
    onSuccess: async (saved) => {
      await showSaved(saved);
      void navigate(`/${workspace.slug}/tracking-plans/${saved.id}`);
    },
    onError: (error) => setProblems(error instanceof ApiError ? error.fields : []),
  });
  const edit = (next: TrackingPlanRules) => {
    setRules(next);
    setProblems([]);
  };
  const nameProblem = problems.find((p) => p.field === 'name')?.message;

  return (
    <>
      <section className="card" aria-label="Plan">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!plan) create.mutate();
          }}
        >
          <FormField label="Name" htmlFor="plan-name" error={nameProblem}>
            <input
              id="plan-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              disabled={!canWrite}
              aria-invalid={nameProblem ? true : undefined}
              aria-describedby={nameProblem ? 'plan-name-error' : undefined}
            />
          </FormField>
          {plan ? (
            <p className="muted">
              Version {plan.version}
              {dirty ? ' · unsaved changes' : ''}
            </p>
          ) : canWrite ? (
            <div className="actions">
              <button type="submit" className="primary" disabled={create.isPending || !name.trim()}>
                Create plan
              </button>
            </div>
          ) : null}
          {!plan ? <ErrorNotice error={create.error} /> : null}
        </form>
      </section>
      {canWrite ? <GeneratePlan rules={rules} onGenerated={edit} /> : null}
      <PlanEvents rules={rules} canWrite={canWrite} problems={problems} onChange={edit} />
      <PlanPolicies
        policies={rules.policies}
        canWrite={canWrite}
        problems={problems}
        onChange={(policies) => edit({ ...rules, policies })}
      />
      {plan && canWrite ? (
        <SavePlan
          plan={plan}
          name={name}
          rules={rules}
          dirty={dirty}
          onSaved={(saved) => void showSaved(saved)}
          onDiscard={() => {
            setName(plan.name);
            edit(plan.rules);
          }}
          onProblems={setProblems}
        />
      ) : null}
      {plan ? <PlanSources plan={plan} canWrite={canWrite} onChanged={(saved) => void showSaved(saved)} /> : null}
      {plan ? (
        <PlanViolationsPanel violationsUrl={wsPath(workspace.slug, 'tracking-plans', plan.id, 'violations')} />
      ) : null}
      {plan ? <PlanVersions plan={plan} canWrite={canWrite} onRestored={(saved) => void showSaved(saved)} /> : null}
      {plan && canWrite ? <DeletePlan plan={plan} /> : null}
    </>
  );
}
