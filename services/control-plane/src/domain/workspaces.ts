import type {
  CreateWorkspaceRequest,
  ListWorkspacesRequest,
  ListWorkspacesResponse,
  SetAutoDisableExceptionRequest,
  UpdateWorkspaceRequest,
  Workspace,
} from '@manifold/proto';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { CallContext } from './context';
import { ControlPlaneError, Violations } from './errors';
import { newId } from './ids';
import { checkEmail, checkMembers, checkName, checkSlug } from './validation';
import type { WorkspaceDoc } from '../store/documents';
import { listPage } from '../store/list-query';
import type { Store } from '../store/store';

export async function resolveWorkspace(store: Store, key: string): Promise<WorkspaceDoc> {
  if (!key) throw ControlPlaneError.invalid([{ field: 'workspace', message: 'is required (id or slug)' }]);
  const doc = await store.workspaces.findOne({ $or: [{ _id: key }, { slug: key }] });
  if (!doc) throw ControlPlaneError.notFound('workspace', key);
  return doc;
}

export function toWorkspace(doc: WorkspaceDoc): Workspace {
  return {
    id: doc._id,
    slug: doc.slug,
    name: doc.name,
    ownerEmail: doc.ownerEmail,
    members: doc.members,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    autoDisableExceptions: doc.autoDisableExceptions ?? [],
  };
}

/** The owner is always a member with the owner role. */
function withOwner(ownerEmail: string, members: Array<{ email: string; role: string }>): WorkspaceDoc['members'] {
  const others = members.filter((m) => m.email.toLowerCase() !== ownerEmail.toLowerCase());
  return [{ email: ownerEmail, role: 'owner' }, ...others.map((m) => ({ email: m.email, role: m.role }))];
}

export class Workspaces {
  constructor(private readonly store: Store) {}

  async create(req: CreateWorkspaceRequest, ctx: CallContext): Promise<Workspace> {
    const v = new Violations();
    checkSlug(v, 'slug', req.slug);
    checkName(v, 'name', req.name);
    checkEmail(v, 'owner_email', req.ownerEmail);
    checkMembers(v, 'members', req.members);
    v.throwIfAny();
    const doc: WorkspaceDoc = {
      _id: newId('ws'),
      slug: req.slug,
      name: req.name.trim(),
      ownerEmail: req.ownerEmail,
      members: withOwner(req.ownerEmail, req.members),
      createdAt: ctx.now,
      createdBy: ctx.actor,
      autoDisableExceptions: [],
    };
    try {
      await this.store.workspaces.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error))
        throw ControlPlaneError.alreadyExists(`workspace slug ${JSON.stringify(req.slug)} is taken`);
      throw error;
    }
    return toWorkspace(doc);
  }

  async get(key: string): Promise<Workspace> {
    return toWorkspace(await resolveWorkspace(this.store, key));
  }

  async list(req: ListWorkspacesRequest): Promise<ListWorkspacesResponse> {
    const scope = req.memberEmail ? { 'members.email': req.memberEmail } : {};
    const { docs, page } = await listPage(
      this.store.workspaces,
      req.page,
      {
        slug: { path: 'slug', kind: 'string' },
        name: { path: 'name', kind: 'string' },
        created_at: { path: 'createdAt', kind: 'date' },
        owner_email: { path: 'ownerEmail', kind: 'string' },
      },
      scope,
      { slug: 1 },
    );
    return { workspaces: docs.map(toWorkspace), page };
  }

  async update(req: UpdateWorkspaceRequest): Promise<Workspace> {
    const doc = await resolveWorkspace(this.store, req.workspace);
    const v = new Violations();
    if (req.name !== undefined) checkName(v, 'name', req.name);
    if (req.ownerEmail !== undefined) checkEmail(v, 'owner_email', req.ownerEmail);
    if (req.updateMembers) checkMembers(v, 'members', req.members);
    v.throwIfAny();
    const ownerEmail = req.ownerEmail ?? doc.ownerEmail;
    const members = withOwner(ownerEmail, req.updateMembers ? req.members : doc.members);
    const updated = await this.store.workspaces.findOneAndUpdate(
      { _id: doc._id },
      { $set: { name: req.name?.trim() ?? doc.name, ownerEmail, members } },
      { returnDocument: 'after' },
    );
    if (!updated) throw ControlPlaneError.notFound('workspace', req.workspace);
    return toWorkspace(updated);
  }

  /** Deletes a workspace only once it is empty, so no source or destination is orphaned. */
  async delete(key: string): Promise<void> {
    const doc = await resolveWorkspace(this.store, key);
    const [sources, destinations] = await Promise.all([
      this.store.sources.countDocuments({ workspaceId: doc._id }),
      this.store.destinations.countDocuments({ workspaceId: doc._id }),
    ]);
    if (sources + destinations > 0) {
      throw ControlPlaneError.failedPrecondition(
        `workspace ${doc.slug} still has ${sources} source(s) and ${destinations} destination(s); delete them first`,
      );
    }
    await this.store.workspaces.deleteOne({ _id: doc._id });
  }

  async setAutoDisableException(req: SetAutoDisableExceptionRequest, sourceId: string): Promise<Workspace> {
    const doc = await resolveWorkspace(this.store, req.workspace);
    const update = req.exempt
      ? { $addToSet: { autoDisableExceptions: sourceId } }
      : { $pull: { autoDisableExceptions: sourceId } };
    const updated = await this.store.workspaces.findOneAndUpdate({ _id: doc._id }, update, { returnDocument: 'after' });
    if (!updated) throw ControlPlaneError.notFound('workspace', req.workspace);
    if ((doc.autoDisableExceptions ?? []).includes(sourceId) !== req.exempt) {
      // A warning given before the source went on (or off) the list no longer holds: taken off
      // it, the source is warned again, with the full notice, before any disable.
      await this.store.sources.updateOne({ _id: sourceId }, { $set: { autoDisableWarnedAt: null } });
    }
    return toWorkspace(updated);
  }
}
