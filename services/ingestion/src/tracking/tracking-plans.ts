import type { SourceConfig } from '@manifold/config-client';
import type { Logger } from '@manifold/logger';
import { compilePlan, type CompiledPlan } from '@manifold/tracking-plans';

/**
 * Each source's tracking plan, compiled once per plan version: the config stream hands every
 * connected source the same version, so a plan is compiled on the first event after it changed,
 * and the version it replaced is let go.
 */
export class TrackingPlans {
  /** Per plan id: its latest version seen, and that version compiled (null: it would not compile). */
  private readonly compiled = new Map<string, { version: number; plan: CompiledPlan | null }>();

  constructor(private readonly logger: Logger) {}

  /** The source's compiled plan; undefined without one (or when its plan would not compile). */
  forSource(source: SourceConfig): CompiledPlan | undefined {
    const plan = source.trackingPlan;
    if (!plan) return undefined;
    const cached = this.compiled.get(plan.id);
    if (cached?.version === plan.version) return cached.plan ?? undefined;
    let compiled: CompiledPlan | null;
    try {
      compiled = compilePlan({
        ...plan.rules,
        id: plan.id,
        version: plan.version,
        workspaceId: source.workspaceId,
        name: '',
        sourceIds: [],
      });
    } catch (error) {
      // The control plane compiles every schema before saving, so this is a bug, not bad input:
      // events pass unchecked rather than being refused for it.
      this.logger.error(
        { err: error, planId: plan.id, version: plan.version },
        'tracking plan does not compile; not applied',
      );
      compiled = null;
    }
    this.compiled.set(plan.id, { version: plan.version, plan: compiled });
    return compiled ?? undefined;
  }
}
