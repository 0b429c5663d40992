import type {
  CreateSourceRequest,
  ListSourcesRequest,
  ListSourcesResponse,
  RotateWriteKeyRequest,
  Source,
  UpdateSourceRequest,
  WebhookSettings,
} from '@manifold/proto';
import { isDuplicateKeyError } from '@manifold/mongo';
import { ReverseEtlStore } from '@manifold/reverse-etl';
import type { SecretBox } from '@manifold/secrets';
import { autoDisableDueAt, DEFAULT_AUTO_DISABLE_POLICY, type AutoDisablePolicy } from '../auto-disable/policy';
import type { CallContext } from './context';
import { ControlPlaneError, Violations } from './errors';
import { newId, newWriteKey } from './ids';
import { listSourcesWithModels } from './model-sources';
import { refreshDestinationSourceNames } from './links';
import { checkEnvironment, checkName, checkOneOf, checkSlug, SOURCE_CATEGORIES, SOURCE_TYPES } from './validation';
import { initialStatus, statusChange, statusUpdate } from './status-change';
import { webhookChangedFields, webhookSettingsDoc, webhookSettingsView } from './webhook-settings';
import { resolveWorkspace } from './workspaces';
import type { SourceDoc, WebhookSettingsDoc, WorkspaceDoc, WriteKeyDoc } from '../store/documents';
import { listPage, type ListFields } from '../store/list-query';
import type { Store } from '../store/store';

const DEFAULT_GRACE_SECONDS = 24 * 3600;

export const SOURCE_LIST_FIELDS: ListFields = {
  status: { path: 'enabled', kind: 'boolean-status' },
  environment: { path: 'environment', kind: 'string' },
  destinations: { path: 'destinationNames', sortPath: 'destinationCount', kind: 'array' },
  type: { path: 'type', kind: 'string' },
  category: { path: 'category', kind: 'string' },
  created_at: { path: 'createdAt', kind: 'date' },
  created_by: { path: 'createdBy', kind: 'string' },
  name: { path: 'name', sortPath: 'nameSort', kind: 'string' },
  // Part of the name, in any case (the console's search box).
  search: { path: 'nameSort', kind: 'contains' },
  slug: { path: 'slug', kind: 'string' },
};

export function toSource(
  doc: SourceDoc,
  keys: WriteKeyDoc[],
  workspace: WorkspaceDoc,
  now: Date,
  /** Null: auto-disable is off (no mail to warn owners with), so no source has a date. */
  policy: AutoDisablePolicy | null = DEFAULT_AUTO_DISABLE_POLICY,
): Source {
  const exempt = (workspace.autoDisableExceptions ?? []).includes(doc._id);
  const live = keys
    .filter((k) => k.sourceId === doc._id && (!k.expiresAt || k.expiresAt > now))
    // The current key (no expiry) first, then keys in their grace period, newest first.
    .sort((a, b) => (a.expiresAt ? 1 : 0) - (b.expiresAt ? 1 : 0) || b.createdAt.getTime() - a.createdAt.getTime());
  return {
    id: doc._id,
    workspaceId: doc.workspaceId,
    slug: doc.slug,
    name: doc.name,
    enabled: doc.enabled,
    status: doc.status,
    statusHistory: doc.statusHistory,
    environment: doc.environment,
    type: doc.type,
    category: doc.category,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    destinationIds: doc.destinationIds,
    destinationNames: doc.destinationNames,
    writeKeys: live.map((k) => ({ key: k._id, createdAt: k.createdAt, expiresAt: k.expiresAt ?? undefined })),
    autoDisableExempt: exempt,
    withoutDestinationSince: doc.withoutDestinationSince ?? undefined,
    autoDisableWarnedAt: doc.autoDisableWarnedAt ?? undefined,
    // Not warned yet, it cannot be disabled before the warning period from now: never a past date.
    autoDisableDueAt:
      doc.enabled && !exempt && policy
        ? autoDisableDueAt({ ...doc, autoDisableWarnedAt: doc.autoDisableWarnedAt ?? now }, policy)
        : undefined,
    webhook: doc.webhook ? webhookSettingsView(doc.webhook, doc._id, now) : undefined,
    changedFields: [],
  };
}

export async function resolveSource(store: Store, workspace: WorkspaceDoc, key: string): Promise<SourceDoc> {
  if (!key) throw ControlPlaneError.invalid([{ field: 'source', message: 'is required (id or slug)' }]);
  // Scoped by workspace: another workspace's source id is simply not found here.
  const doc = await store.sources.findOne({ workspaceId: workspace._id, $or: [{ _id: key }, { slug: key }] });
  if (!doc) throw ControlPlaneError.notFound('source', key);
  return doc;
}

function duplicateSourceError(slug: string, name: string): ControlPlaneError {
  return ControlPlaneError.alreadyExists(
    `a source with slug ${JSON.stringify(slug)} or name ${JSON.stringify(name)} already exists in this workspace`,
  );
}

export class Sources {
  constructor(
    private readonly store: Store,
    /** Seals webhook sources' signing secrets. */
    private readonly box: SecretBox,
    private readonly onChange: () => Promise<void>,
    /** The auto-disable job's policy, for the due date reads show; null when the job is off. */
    private readonly autoDisable: AutoDisablePolicy | null = DEFAULT_AUTO_DISABLE_POLICY,
  ) {
    this.models = new ReverseEtlStore(store.db);
  }

  /** Reverse ETL models, listed with the sources when asked (ListSources' include_models). */
  private readonly models: ReverseEtlStore;

  private async view(doc: SourceDoc, workspace: WorkspaceDoc, now: Date): Promise<Source> {
    const keys = await this.store.writeKeys.find({ sourceId: doc._id }).toArray();
    return toSource(doc, keys, workspace, now, this.autoDisable);
  }

  async create(req: CreateSourceRequest, ctx: CallContext): Promise<Source> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const v = new Violations();
    checkSlug(v, 'slug', req.slug);
    checkName(v, 'name', req.name);
    checkEnvironment(v, 'environment', req.environment);
    checkOneOf(v, 'type', req.type, SOURCE_TYPES);
    checkOneOf(v, 'category', req.category, SOURCE_CATEGORIES);
    const webhook = this.webhookSettings(v, req.type, req.webhook, undefined, ctx.now);
    v.throwIfAny();
    const enabled = req.enabled ?? true;
    const status = initialStatus(enabled, ctx);
    const doc: SourceDoc = {
      _id: newId('src'),
      workspaceId: workspace._id,
      slug: req.slug,
      name: req.name.trim(),
      nameSort: req.name.trim().toLowerCase(),
      enabled,
      status,
      statusHistory: [status],
      environment: req.environment,
      type: req.type,
      category: req.category,
      createdAt: ctx.now,
      createdBy: ctx.actor,
      destinationIds: [],
      destinationNames: [],
      destinationCount: 0,
      // A new source has no destination yet: its 14 days start now.
      withoutDestinationSince: ctx.now,
      autoDisableWarnedAt: null,
      ...(webhook ? { webhook } : {}),
    };
    try {
      await this.store.sources.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw duplicateSourceError(req.slug, req.name);
      throw error;
    }
    await this.store.writeKeys.insertOne({
      _id: newWriteKey(),
      sourceId: doc._id,
      workspaceId: workspace._id,
      createdAt: ctx.now,
      expiresAt: null,
    });
    await this.onChange();
    return this.view(doc, workspace, ctx.now);
  }

  /**
   * A webhook source's settings to store: required for type "webhook" (on create), refused for
   * any other type. Problems go to `v`.
   */
  private webhookSettings(
    v: Violations,
    type: string,
    given: WebhookSettings | undefined,
    saved: WebhookSettingsDoc | undefined,
    now: Date,
  ): WebhookSettingsDoc | undefined {
    if (type !== 'webhook') {
      if (given) v.add('webhook', 'is only for sources of type webhook');
      return undefined;
    }
    if (!given) {
      v.add('webhook', 'is required for a webhook source (its kind: stripe, github, shopify or generic)');
      return undefined;
    }
    return webhookSettingsDoc(v, given, saved, this.box, now);
  }

  async get(workspaceKey: string, sourceKey: string, now: Date): Promise<Source> {
    const workspace = await resolveWorkspace(this.store, workspaceKey);
    return this.view(await resolveSource(this.store, workspace, sourceKey), workspace, now);
  }

  async list(req: ListSourcesRequest, now: Date): Promise<ListSourcesResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const views = (docs: SourceDoc[]) => this.views(docs, workspace, now);
    if (req.includeModels) {
      return listSourcesWithModels(this.store, this.models, workspace, req, SOURCE_LIST_FIELDS, views);
    }
    const { docs, page } = await listPage(
      this.store.sources,
      req.page,
      SOURCE_LIST_FIELDS,
      { workspaceId: workspace._id },
      {
        nameSort: 1,
        _id: 1,
      },
    );
    return { sources: await views(docs), page };
  }

  /** Sources as read, their write keys fetched in one query. */
  private async views(docs: SourceDoc[], workspace: WorkspaceDoc, now: Date): Promise<Source[]> {
    const keys = docs.length
      ? await this.store.writeKeys.find({ sourceId: { $in: docs.map((d) => d._id) } }).toArray()
      : [];
    return docs.map((d) => toSource(d, keys, workspace, now, this.autoDisable));
  }

  async update(req: UpdateSourceRequest, ctx: CallContext): Promise<Source> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const doc = await resolveSource(this.store, workspace, req.source);
    const v = new Violations();
    if (req.name !== undefined) checkName(v, 'name', req.name);
    if (req.slug !== undefined) checkSlug(v, 'slug', req.slug);
    if (req.environment !== undefined) checkEnvironment(v, 'environment', req.environment);
    if (req.category !== undefined) checkOneOf(v, 'category', req.category, SOURCE_CATEGORIES);
    const webhook = req.webhook ? this.webhookSettings(v, doc.type, req.webhook, doc.webhook, ctx.now) : undefined;
    v.throwIfAny();
    const set: Partial<SourceDoc> = {};
    if (req.name !== undefined) {
      set.name = req.name.trim();
      set.nameSort = set.name.toLowerCase();
    }
    if (req.slug !== undefined) set.slug = req.slug;
    if (req.environment !== undefined) set.environment = req.environment;
    if (req.category !== undefined) set.category = req.category;
    if (webhook) set.webhook = webhook;
    const changedFields = [
      ...(['name', 'slug', 'environment', 'category'] as const).filter(
        (k) => set[k] !== undefined && set[k] !== doc[k],
      ),
      ...(req.enabled !== undefined && req.enabled !== doc.enabled ? ['enabled'] : []),
      ...(webhook ? webhookChangedFields(doc.webhook, webhook, this.box) : []),
    ];
    if (req.dryRun) return { ...(await this.view(doc, workspace, ctx.now)), changedFields };
    const change = statusChange(doc.enabled, req.enabled, req.reason, ctx);
    const status = statusUpdate(change);
    // Enabled again without an enabled destination (auto-disabled, or turned off by a user): its
    // 14 days start now, and a warning given before is forgotten, so it is warned again first.
    const clock =
      change?.status === 'enabled' && doc.withoutDestinationSince
        ? { withoutDestinationSince: ctx.now, autoDisableWarnedAt: null }
        : {};
    let updated: SourceDoc | null;
    try {
      updated = await this.store.sources.findOneAndUpdate(
        { _id: doc._id },
        { $set: { ...set, ...status.set, ...clock }, ...status.push },
        { returnDocument: 'after' },
      );
    } catch (error) {
      if (isDuplicateKeyError(error)) throw duplicateSourceError(req.slug ?? doc.slug, req.name ?? doc.name);
      throw error;
    }
    if (!updated) throw ControlPlaneError.notFound('source', req.source);
    if (set.name !== undefined) await refreshDestinationSourceNames(this.store, updated.destinationIds);
    await this.onChange();
    return { ...(await this.view(updated, workspace, ctx.now)), changedFields };
  }

  async delete(workspaceKey: string, sourceKey: string): Promise<void> {
    const workspace = await resolveWorkspace(this.store, workspaceKey);
    const doc = await resolveSource(this.store, workspace, sourceKey);
    // Disconnect first so no destination points at a missing source, then remove keys.
    await this.store.destinations.updateMany({ sourceIds: doc._id }, { $pull: { sourceIds: doc._id } });
    await this.store.sources.deleteOne({ _id: doc._id });
    await this.store.writeKeys.deleteMany({ sourceId: doc._id });
    await this.store.workspaces.updateOne({ _id: workspace._id }, { $pull: { autoDisableExceptions: doc._id } });
    await refreshDestinationSourceNames(this.store, doc.destinationIds);
    await this.onChange();
  }

  /** A new key becomes current; the old ones keep working until their grace period ends. */
  async rotateWriteKey(req: RotateWriteKeyRequest, ctx: CallContext): Promise<Source> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const doc = await resolveSource(this.store, workspace, req.source);
    const grace = req.gracePeriodSeconds === 0 ? DEFAULT_GRACE_SECONDS : req.gracePeriodSeconds;
    const expiresAt = new Date(ctx.now.getTime() + Math.max(grace, 0) * 1000);
    const fresh = newWriteKey();
    await this.store.writeKeys.insertOne({
      _id: fresh,
      sourceId: doc._id,
      workspaceId: workspace._id,
      createdAt: ctx.now,
      expiresAt: null,
    });
    // Keys already expiring keep the earlier of their own expiry and this one.
    const current = await this.store.writeKeys.find({ sourceId: doc._id }).toArray();
    for (const key of current) {
      if (key._id === fresh) continue;
      const until = key.expiresAt && key.expiresAt < expiresAt ? key.expiresAt : expiresAt;
      if (until <= ctx.now) await this.store.writeKeys.deleteOne({ _id: key._id });
      else await this.store.writeKeys.updateOne({ _id: key._id }, { $set: { expiresAt: until } });
    }
    await this.onChange();
    return this.view(doc, workspace, ctx.now);
  }
}
