import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { TrackingPlanRules } from '../../../../src/api/types';
import { api, wsPath } from '../../api';
import type { DebuggerEntry } from '../../components/LiveDebugger';
import { ErrorNotice, FormField } from '../../components/FormField';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { useWorkspaceSources } from './plan-queries';

/** The live debugger keeps at most this many recent events per source. */
const SAMPLE_EVENTS = 200;

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
 * "Generate from a source": a starting plan from a source's recent events (the live debugger's),
 * each track event with the property types seen, added to the draft. Nothing is saved.
 */
export function GeneratePlan(props: { rules: TrackingPlanRules; onGenerated(rules: TrackingPlanRules): void }) {
  const workspace = useWorkspace();
  const sources = useWorkspaceSources(workspace.slug);
  const [chosen, setChosen] = useState('');
  const [summary, setSummary] = useState('');
  const all = sources.data?.sources ?? [];
  const pick = chosen || all[0]?.id || '';
  const generate = useMutation({
    mutationFn: async () => {
      const { events } = await api.get<{ events: DebuggerEntry[] }>(
        `${wsPath(workspace.slug, 'sources', pick, 'debugger', 'events')}?limit=${SAMPLE_EVENTS}`,
      );
      const accepted = events.filter((e) => e.status === 'accepted').map((e) => e.event);
      const { rules } = await api.post<{ rules: TrackingPlanRules }>(
        wsPath(workspace.slug, 'tracking-plans', 'generate'),
        {
          events: accepted,
        },
      );
      return { rules, sampled: accepted.length };
    },
    onSuccess: ({ rules, sampled }) => {
      const added = Object.keys(rules.events).filter((name) => !(name in props.rules.events));
      props.onGenerated(withGenerated(props.rules, rules));
      setSummary(
        sampled === 0
          ? 'This source has no recent events to start from.'
          : `${sampled} recent event${sampled === 1 ? '' : 's'} read; ${added.length} event${added.length === 1 ? '' : 's'} added to the draft${added.length ? `: ${added.join(', ')}` : ''}.`,
      );
    },
  });
  if (all.length === 0) return null;
  return (
    <details className="card plan-generate disclosure">
      <summary>Generate from a source</summary>
      <p className="muted">
        A starting point from the source's recent events: each event seen, with its properties' types. Events the draft
        plans already stay as they are; nothing is saved until you save.
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
