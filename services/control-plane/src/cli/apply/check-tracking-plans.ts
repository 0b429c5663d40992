import { checkPlanRules } from '@manifold/tracking-plans';
import type { PathSegment, Problem } from './load-spec';
import type { SpecParts, TrackingPlanSpec } from './workspace-spec';

/** A plan of the file as the control plane stores its rules. */
export function planRules(plan: TrackingPlanSpec) {
  return {
    events: plan.events,
    policies: plan.policies,
    ...(plan.identifyTraits ? { identifyTraits: plan.identifyTraits } : {}),
    ...(plan.groupTraits ? { groupTraits: plan.groupTraits } : {}),
    ...(plan.pageProperties ? { pageProperties: plan.pageProperties } : {}),
  };
}

/**
 * A problem of `checkPlanRules` (`events.Order Completed/properties/total/type`) at its place in
 * the file: the event's schema, with the rest of the pointer in the message.
 */
function fileProblem(base: PathSegment[], path: string, message: string): Problem {
  const dot = path.indexOf('.');
  const [top, rest] = dot < 0 ? [path, ''] : [path.slice(0, dot), path.slice(dot + 1)];
  const slash = rest.indexOf('/');
  const [key, pointer] = slash < 0 ? [rest, ''] : [rest.slice(0, slash), rest.slice(slash)];
  const at = key ? [...base, top, key] : [...base, top];
  return { path: at, message: pointer ? `${pointer}: ${message}` : message };
}

/**
 * The file's tracking plans checked as the control plane checks a save (every schema against
 * JSON Schema's meta-schema and compiled), plus what only the file can get wrong: two plans of
 * one name, a source held to two plans, a source neither the file nor the workspace has.
 */
export function checkTrackingPlans(parts: SpecParts, reachable: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  const heldBy = new Map<string, string>();
  parts.trackingPlans.forEach((plan, i) => {
    if (!plan) return;
    const base: PathSegment[] = ['trackingPlans', i];
    const name = plan.name.trim();
    const first = names.get(name);
    if (first !== undefined) {
      problems.push({ path: [...base, 'name'], message: `trackingPlans[${first}] already has the name ${name}` });
    } else names.set(name, i);
    for (const problem of checkPlanRules(planRules(plan)))
      problems.push(fileProblem(base, problem.path, problem.message));
    plan.sources.forEach((slug, k) => {
      const at = [...base, 'sources', k];
      if (!reachable.has(slug)) problems.push({ path: at, message: `no source ${slug} in the file or the workspace` });
      const other = heldBy.get(slug);
      if (other) problems.push({ path: at, message: `source ${slug} is already held to tracking plan ${other}` });
      else heldBy.set(slug, name);
    });
  });
  return problems;
}
