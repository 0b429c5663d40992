import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { TrackingPlanRules } from '../../../../src/api/types';
import { api, wsPath } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { useWorkspaceSources } from './plan-queries';

/** How far back the observed property paths go (the control plane keeps 30 days). */
const DAYS = 7;

interface GeneratedPlan {
  rules: TrackingPlanRules;
  eventsObserved: number;
  eventsCut: number;
  pathsCut: number;
}

/**
 * The draft with a generated plan's schemas added: events not planned yet, and identify, group
 * and page schemas not set yet. What the draft has already is left as it is, and so are its policies.
 */
export function withGenerated(draft: TrackingPlanRules, generated: TrackingPlanRules): TrackingPlanRules {
  return {
    ...draft,
    events: { ...generated.events, ...draft.events },
    identifyTraits: draft.identifyTraits ?? generated.identifyTraits,
    groupTraits: draft.groupTraits ?? generated.groupTraits,
    pageProperties: draft.pageProperties ?? generated.pageProperties,
  };
}

/**
 * "Generate from a source": a starting plan from the property paths and types ingestion observed
 * on a source's events in the last 7 days, each track event with its properties, added to the
 * draft. Nothing is saved.
 */
export function GeneratePlan(props: { rules: TrackingPlanRules; onGenerated(rules: TrackingPlanRules): void }) {
  const workspace = useWorkspace();
  const sources = useWorkspaceSources(workspace.slug);
  const [chosen, setChosen] = useState('');
  const [summary, setSummary] = useState('');
  const all = sources.data?.sources ?? [];
  const pick = chosen || all[0]?.id || '';
  const generate = useMutation({
    mutationFn: () =>
      api.get<GeneratedPlan>(`${wsPath(workspace.slug, 'sources', pick, 'generated-plan')}?days=${DAYS}`),
    onSuccess: (generated) => {
      const added = Object.keys(generated.rules.events ?? {}).filter((name) => !(name in props.rules.events));
      props.onGenerated(withGenerated(props.rules, generated.rules));
      const cut =
        generated.eventsCut + generated.pathsCut > 0
          ? ` Ingestion's bounds left ${generated.eventsCut} event kinds and ${generated.pathsCut} property paths unobserved: the plan is incomplete.`
          : '';
      setSummary(
        generated.eventsObserved === 0
          ? `No events of this source were observed in the last ${DAYS} days.`
          : `${generated.eventsObserved} event kind${generated.eventsObserved === 1 ? '' : 's'} observed in the last ${DAYS} days; ${added.length} event${added.length === 1 ? '' : 's'} added to the draft${added.length ? `: ${added.join(', ')}` : ''}.${cut}`,
      );
    },
  });
  if (all.length === 0) return null;
  return (
    <details className="card plan-generate disclosure">
      <summary>Generate from a source</summary>
      <p className="muted">
        A starting point from the source's events of the last {DAYS} days: each event seen, with its properties' types.
        Events the draft plans already stay as they are; nothing is saved until you save.
      </p>
      <div className="row">
        <FormField label="Source to sample" htmlFor="plan-generate-source">
          <select id="plan-generate-source" value={pick} onChange={(e) => setChosen(e.target.value)}>
            {all.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </FormField>
        <button type="button" disabled={!pick || generate.isPending} onClick={() => generate.mutate()}>
          Generate
        </button>
      </div>
      <ErrorNotice error={generate.error} />
      {summary && !generate.isPending ? (
        <p role="status" className="wrap-anywhere">
          {summary}
        </p>
      ) : null}
    </details>
  );
}
