import type { Db } from 'mongodb';
import type {
  DeleteTrackingPlanRequest,
  DeleteTrackingPlanResponse,
  DiffTrackingPlanRequest,
  DiffTrackingPlanResponse,
  SaveTrackingPlanRequest,
  TrackingPlan,
  TrackingPlanConfig,
} from '@manifold/proto';
import {
  checkPlanRules,
  DEFAULT_POLICIES,
  diffPlans,
  type JsonSchema,
  type PlanPolicies,
  type TrackingPlan as HeldPlan,
  type TrackingPlanRules,
} from '@manifold/tracking-plans';
import type { CallContext } from './context';
import { isDuplicateKeyError } from '@manifold/mongo';
import { ControlPlaneError, type FieldViolation } from './errors';
import { newId } from './ids';
import { resolveWorkspace } from './workspaces';
import type { Store } from '../store/store';

/** One saved version of a plan (never changed once written). */
interface TrackingPlanVersionDoc {
  /** `<plan id>:<version>`: a second save of the same version fails, so concurrent saves cannot both win. */
  _id: string;
  planId: string;
  workspaceId: string;
  name: string;
  version: number;
  sourceIds: string[];
  rules: TrackingPlanRules;
  savedAt: Date;
  savedBy: string;
}

/** The latest version of each plan: what the config stream reads. `_id` is the plan id. */
type TrackingPlanHeadDoc = Omit<TrackingPlanVersionDoc, 'planId'>;

function collections(db: Db) {
  return {
    versions: db.collection<TrackingPlanVersionDoc>('tracking_plan_versions'),
    heads: db.collection<TrackingPlanHeadDoc>('tracking_plans'),
  };
}

/** Per source id, the latest version of the plan connected to it, for the config stream. */
export async function trackingPlansBySource(db: Db): Promise<Map<string, TrackingPlanConfig>> {
  const bySource = new Map<string, TrackingPlanConfig>();
  for (const head of await collections(db).heads.find({}).toArray()) {
    const config = { id: head._id, version: head.version, rules: head.rules as unknown as Record<string, unknown> };
    for (const sourceId of head.sourceIds) bySource.set(sourceId, config);
  }
  return bySource;
}

/** The latest version of the plan a source is held to now (undefined: none), as ingestion holds it. */
export async function currentPlanOf(db: Db, sourceId: string): Promise<HeldPlan | undefined> {
  const head = await collections(db).heads.findOne({ sourceIds: sourceId });
  return head ? heldPlan({ ...head, planId: head._id }) : undefined;
}

/** One saved version of a plan, as ingestion would hold it (a run that must keep to one version). */
export async function heldPlanVersion(db: Db, planId: string, version: number): Promise<HeldPlan | undefined> {
  const doc = await collections(db).versions.findOne({ planId, version });
  return doc ? heldPlan(doc) : undefined;
}

function heldPlan({
  planId,
  rules,
  workspaceId,
  name,
  version,
  sourceIds,
}: Omit<TrackingPlanVersionDoc, '_id'>): HeldPlan {
  return { id: planId, workspaceId, name, version, sourceIds, ...rules };
}

/**
 * Tracking plans (libs/tracking-plans/README.md): each save checks every schema (ajv compiles it)
 * and writes a new version; the latest reaches ingestion through the config stream.
 */
export class TrackingPlans {
  private readonly versions;
  private readonly heads;

  constructor(
    private readonly store: Store,
    private readonly onChange: () => Promise<void>,
  ) {
    ({ versions: this.versions, heads: this.heads } = collections(store.db));
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.versions.createIndex({ planId: 1, version: -1 }, { name: 'by_plan' }),
      this.heads.createIndex({ workspaceId: 1, name: 1 }, { unique: true, name: 'workspace_name_unique' }),
      this.heads.createIndex({ sourceIds: 1 }, { name: 'by_source' }),
    ]);
  }

  async save(req: SaveTrackingPlanRequest, ctx: CallContext): Promise<TrackingPlan> {
    const workspace = await resolveWorkspace(this.store, req.workspaceId);
    const rules = parseRules(req.rules);
    const violations: FieldViolation[] = [];
    if (!req.name.trim()) violations.push({ field: 'name', message: 'is required' });
    for (const problem of checkPlanRules(rules))
      violations.push({ field: `rules.${problem.path}`, message: problem.message });
    const sourceIds = [...new Set(req.sourceIds)].sort();
    const sources = await this.store.sources.find({ workspaceId: workspace._id, _id: { $in: sourceIds } }).toArray();
    for (const id of sourceIds) {
      if (!sources.some((s) => s._id === id))
        violations.push({ field: 'source_ids', message: `no source ${id} in this workspace` });
    }
    if (violations.length > 0) throw ControlPlaneError.invalid(violations);

    const previous = req.id ? await this.heads.findOne({ _id: req.id, workspaceId: workspace._id }) : null;
    if (req.id && !previous) throw ControlPlaneError.notFound('tracking plan', req.id);
    const planId = previous?._id ?? newId('tp');
    // A source is held to one plan: the config stream gives it one.
    const taken = await this.heads.findOne({ _id: { $ne: planId }, sourceIds: { $in: sourceIds } });
    if (taken) {
      const shared = sourceIds.filter((id) => taken.sourceIds.includes(id));
      throw ControlPlaneError.failedPrecondition(
        `source ${shared.join(', ')} is already connected to tracking plan ${taken.name}: disconnect it there first`,
      );
    }
    // Names are unique in a workspace (an index): checked before the version is written, so that
    // a refused save leaves no version behind. (Found by the index only, it answered INTERNAL.)
    const name = req.name.trim();
    const nameTaken = () =>
      ControlPlaneError.alreadyExists(`a tracking plan named ${JSON.stringify(name)} already exists in this workspace`);
    if (await this.heads.findOne({ workspaceId: workspace._id, name, _id: { $ne: planId } })) throw nameTaken();
    const version = (previous?.version ?? 0) + 1;
    const doc: TrackingPlanVersionDoc = {
      _id: `${planId}:${version}`,
      planId,
      workspaceId: workspace._id,
      name,
      version,
      sourceIds,
      rules,
      savedAt: ctx.now,
      savedBy: ctx.actor,
    };
    try {
      await this.versions.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw ControlPlaneError.conflict(`tracking plan ${planId} was saved meanwhile; reload it and save again`);
      }
      throw error;
    }
    const { _id: _versionId, planId: _planId, ...head } = doc;
    try {
      await this.heads.replaceOne({ _id: planId }, head, { upsert: true });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Another save took the name meanwhile: this version is withdrawn, as if refused above.
      await this.versions.deleteOne({ _id: doc._id });
      throw nameTaken();
    }
    await this.onChange();
    return toTrackingPlan(doc);
  }

  /**
   * Takes a source off the plan holding it (a new version, saved by whoever asked), before the
   * source is deleted: a plan never names a source that is gone. Nothing when none holds it.
   */
  async releaseSource(sourceId: string, ctx: CallContext): Promise<void> {
    const head = await this.heads.findOne({ sourceIds: sourceId });
    if (!head) return;
    await this.save(
      {
        workspaceId: head.workspaceId,
        id: head._id,
        name: head.name,
        sourceIds: head.sourceIds.filter((id) => id !== sourceId),
        rules: head.rules as unknown as Record<string, unknown>,
      },
      ctx,
    );
  }

  /** Refuses (FAILED_PRECONDITION) while the workspace has plans: it is deleted only once it has none. */
  async ensureNoneIn(workspaceKey: string): Promise<void> {
    const workspace = await resolveWorkspace(this.store, workspaceKey);
    const plans = await this.heads.countDocuments({ workspaceId: workspace._id });
    if (plans > 0) {
      throw ControlPlaneError.failedPrecondition(
        `workspace ${workspace.slug} still has ${plans} tracking plan(s); delete them first`,
      );
    }
  }

  /** A version of a plan; version 0: the latest. */
  async get(id: string, version: number): Promise<TrackingPlan> {
    const doc =
      version > 0
        ? await this.versions.findOne({ planId: id, version })
        : await this.versions.find({ planId: id }).sort({ version: -1 }).limit(1).next();
    if (!doc) throw ControlPlaneError.notFound('tracking plan', version > 0 ? `${id} version ${version}` : id);
    return toTrackingPlan(doc);
  }

  async list(workspaceKey: string): Promise<TrackingPlan[]> {
    const workspace = await resolveWorkspace(this.store, workspaceKey);
    const heads = await this.heads.find({ workspaceId: workspace._id }).sort({ name: 1 }).toArray();
    return heads.map((head) => toTrackingPlan({ ...head, planId: head._id }));
  }

  /**
   * Deletes a plan of the workspace with every version of it. The head goes first: from then on
   * the config stream holds its sources to no plan, whatever becomes of the versions.
   */
  async delete(req: DeleteTrackingPlanRequest): Promise<DeleteTrackingPlanResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspaceId);
    const head = await this.heads.findOneAndDelete({ _id: req.id, workspaceId: workspace._id });
    if (!head) throw ControlPlaneError.notFound('tracking plan', req.id);
    await this.versions.deleteMany({ planId: head._id });
    await this.onChange();
    return { releasedSourceIds: head.sourceIds };
  }

  async diff(req: DiffTrackingPlanRequest): Promise<DiffTrackingPlanResponse> {
    const [from, to] = await Promise.all([this.get(req.id, req.fromVersion), this.get(req.id, req.toVersion)]);
    const changes = diffPlans(parseRules(from.rules), parseRules(to.rules)).map((c) => ({
      path: c.path,
      change: c.change,
      before: c.before,
      after: c.after,
    }));
    return { changes: [...changes, ...(await this.sourceChanges(from.sourceIds, to.sourceIds))] };
  }

  /**
   * Sources connected or disconnected between two versions, as changes of their own
   * (`sources.<id>`, the source's name as the value; its id once it is gone), so that a version
   * made by connecting a source does not read as "no changes".
   */
  private async sourceChanges(before: readonly string[], after: readonly string[]) {
    const added = after.filter((id) => !before.includes(id));
    const removed = before.filter((id) => !after.includes(id));
    if (added.length + removed.length === 0) return [];
    const docs = await this.store.sources.find({ _id: { $in: [...added, ...removed] } }).toArray();
    const nameOf = (id: string) => docs.find((d) => d._id === id)?.name ?? id;
    return [
      ...added.map((id) => ({ path: `sources.${id}`, change: 'added', before: undefined, after: nameOf(id) })),
      ...removed.map((id) => ({ path: `sources.${id}`, change: 'removed', before: nameOf(id), after: undefined })),
    ];
  }
}

function toTrackingPlan(doc: TrackingPlanVersionDoc): TrackingPlan {
  return {
    id: doc.planId,
    workspaceId: doc.workspaceId,
    name: doc.name,
    version: doc.version,
    sourceIds: doc.sourceIds,
    rules: doc.rules as unknown as Record<string, unknown>,
    savedAt: doc.savedAt,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A request's rules in the plan's shape; the schemas themselves and the policy names are checked by
 * checkPlanRules. Policies left out are `allow`.
 */
function parseRules(raw: Record<string, unknown> | undefined): TrackingPlanRules {
  const violations: FieldViolation[] = [];
  const events = raw?.['events'] ?? {};
  if (!isObject(events))
    violations.push({ field: 'rules.events', message: 'must be an object of event name → JSON Schema' });
  const policies = raw?.['policies'] ?? {};
  if (!isObject(policies)) violations.push({ field: 'rules.policies', message: 'must be an object' });
  if (violations.length > 0) throw ControlPlaneError.invalid(violations);
  const rules: TrackingPlanRules = {
    events: events as Record<string, JsonSchema>,
    policies: { ...DEFAULT_POLICIES, ...(policies as Partial<PlanPolicies>) },
  };
  for (const key of ['identifyTraits', 'groupTraits', 'pageProperties'] as const) {
    if (raw?.[key] !== undefined) rules[key] = raw[key] as JsonSchema;
  }
  return rules;
}
