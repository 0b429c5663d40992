import type { InstanceMapping } from '@manifold/destination-kit';
import { isDuplicateKeyError } from '@manifold/mongo';
import type {
  Destination,
  DestinationMapping,
  DestinationMappingVersion,
  ListDestinationMappingVersionsRequest,
  ListDestinationMappingVersionsResponse,
  ResetDestinationMappingsRequest,
  RollbackDestinationMappingsRequest,
  SetDestinationMappingsRequest,
} from '@manifold/proto';
import { mappingViolations, type Catalog, type MappingRules } from './catalog';
import type { CallContext } from './context';
import { resolveDestination } from './destinations';
import { ControlPlaneError } from './errors';
import { newId } from './ids';
import { mappingsDiff } from './mapping-diff';
import {
  currentMappings,
  mappingFromDoc,
  mappingMessage,
  mappingToDoc,
  mappingVersionDoc,
  mappingVersionId,
} from './mapping-docs';
import { resolveWorkspace } from './workspaces';
import type { DestinationDoc, DestinationMappingVersionDoc } from '../store/documents';
import type { Store } from '../store/store';

/** Versions a read lists, newest first. */
const VERSIONS_LISTED = 100;

/**
 * A destination instance's mappings: replaced as a whole, validated against the destination's
 * actions (nothing invalid is stored), and versioned: each save is a version with who, when,
 * why and what changed, and any version can be made current again.
 */
export class DestinationMappings {
  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly present: (doc: DestinationDoc) => Destination,
    private readonly onChange: () => Promise<void>,
  ) {}

  async set(req: SetDestinationMappingsRequest, ctx: CallContext): Promise<Destination> {
    const { doc, rules } = await this.destination(req.workspace, req.destination);
    const mappings = this.validated(rules, rawMappings(req.mappings));
    if (req.dryRun) return this.preview(doc, mappings);
    return this.save(doc, mappings, req.comment, ctx, req.expectedVersion);
  }

  /**
   * The mappings the tester runs an event through, with the destination: `draft` (unsaved,
   * checked exactly as a save checks them: invalid → INVALID_ARGUMENT with every violation), or
   * the current ones.
   */
  async forTest(
    workspaceKey: string,
    destinationKey: string,
    draft: readonly DestinationMapping[] | undefined,
  ): Promise<{ doc: DestinationDoc; mappings: InstanceMapping[] }> {
    const { doc, rules } = await this.destination(workspaceKey, destinationKey);
    const mappings = draft ? this.validated(rules, rawMappings(draft)) : currentMappings(doc, this.catalog);
    return { doc, mappings };
  }

  /**
   * Adds one mapping to the instance's current ones, or replaces the one with its id (a Reverse
   * ETL connection's mapping), checked and versioned as any save is.
   */
  async putMapping(
    workspaceKey: string,
    destinationKey: string,
    mapping: InstanceMapping,
    ctx: CallContext,
  ): Promise<Destination> {
    const { doc, rules } = await this.destination(workspaceKey, destinationKey);
    const others = currentMappings(doc, this.catalog).filter((m) => m.id !== mapping.id);
    const mappings = this.validated(rules, [...others, mapping]);
    return this.save(doc, mappings, `mapping ${mapping.id}`, ctx);
  }

  /** Removes one mapping (a Reverse ETL connection's) from the instance's current ones, if there. */
  async removeMapping(
    workspaceKey: string,
    destinationKey: string,
    mappingId: string,
    ctx: CallContext,
  ): Promise<void> {
    const { doc } = await this.destination(workspaceKey, destinationKey);
    const current = currentMappings(doc, this.catalog);
    const others = current.filter((m) => m.id !== mappingId);
    if (others.length === current.length) return;
    await this.save(doc, others, `mapping ${mappingId} removed`, ctx);
  }

  /** The mapping checks of a destination instance, for input that becomes one of its mappings. */
  async rulesOf(workspaceKey: string, destinationKey: string): Promise<{ doc: DestinationDoc; rules: MappingRules }> {
    return this.destination(workspaceKey, destinationKey);
  }

  async reset(req: ResetDestinationMappingsRequest, ctx: CallContext): Promise<Destination> {
    const { doc, rules } = await this.destination(req.workspace, req.destination);
    const presets = rules.presets();
    if (req.dryRun) return this.preview(doc, presets);
    return this.save(doc, presets, req.comment || 'reset to the presets', ctx);
  }

  async versions(req: ListDestinationMappingVersionsRequest): Promise<ListDestinationMappingVersionsResponse> {
    const { doc } = await this.destination(req.workspace, req.destination);
    const docs = await this.store.mappingVersions
      .find({ destinationId: doc._id })
      .sort({ version: -1 })
      .limit(VERSIONS_LISTED)
      .toArray();
    return { versions: docs.map(versionMessage) };
  }

  async rollback(req: RollbackDestinationMappingsRequest, ctx: CallContext): Promise<Destination> {
    const { doc, rules } = await this.destination(req.workspace, req.destination);
    const version = await this.store.mappingVersions.findOne({ destinationId: doc._id, version: req.version });
    if (!version) throw ControlPlaneError.notFound('mappings version', String(req.version));
    // Checked again: the destination's actions may have changed since that version was saved.
    const mappings = this.validated(rules, version.mappings.map(mappingFromDoc));
    return this.save(doc, mappings, req.comment || `rolled back to version ${req.version}`, ctx);
  }

  /** Saves a new version, unless another write saved one since `doc` was read. */
  private async save(
    doc: DestinationDoc,
    mappings: InstanceMapping[],
    comment: string,
    ctx: CallContext,
    expectedVersion?: number,
  ): Promise<Destination> {
    const current = doc.mappingsVersion ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== current) {
      throw ControlPlaneError.conflict(
        `the mappings are at version ${current}, not ${expectedVersion}: read them again`,
      );
    }
    const diff = mappingsDiff(currentMappings(doc, this.catalog), mappings);
    if (diff.length === 0) return this.present(doc);
    const docs = mappings.map(mappingToDoc);
    const next = current + 1;
    const conflict = (): ControlPlaneError =>
      ControlPlaneError.conflict('the mappings were changed meanwhile: read them again');
    try {
      await this.store.mappingVersions.insertOne(mappingVersionDoc(doc, next, docs, ctx, comment, diff));
    } catch (error) {
      if (isDuplicateKeyError(error)) throw conflict();
      throw error;
    }
    const unchanged = current === 0 ? { $exists: false } : current;
    const result = await this.store.destinations.updateOne(
      { _id: doc._id, mappingsVersion: unchanged },
      { $set: { mappings: docs, mappingsVersion: next } },
    );
    if (result.matchedCount === 0) {
      await this.store.mappingVersions.deleteOne({ _id: mappingVersionId(doc._id, next) });
      throw conflict();
    }
    await this.onChange();
    return this.present({ ...doc, mappings: docs, mappingsVersion: next });
  }

  private preview(doc: DestinationDoc, mappings: InstanceMapping[]): Destination {
    return { ...this.present(doc), mappings: mappings.map(mappingMessage) };
  }

  private validated(rules: MappingRules, raw: unknown): InstanceMapping[] {
    const validation = rules.validate(raw);
    if (!validation.ok) throw ControlPlaneError.invalid(mappingViolations(validation));
    return validation.mappings;
  }

  private async destination(
    workspaceKey: string,
    destinationKey: string,
  ): Promise<{ doc: DestinationDoc; rules: MappingRules }> {
    const workspace = await resolveWorkspace(this.store, workspaceKey);
    const doc = await resolveDestination(this.store, workspace, destinationKey);
    const rules = this.catalog.get(doc.catalogId)?.mappings;
    if (!rules) {
      throw ControlPlaneError.invalid([
        {
          field: 'destination',
          message: doc.warehouse ? 'warehouses have no mappings' : 'this destination type has no mappings',
        },
      ]);
    }
    return { doc, rules };
  }
}

/** Mappings as the API sends them, as the kit checks them: an empty id gets one. */
function rawMappings(mappings: readonly DestinationMapping[]): unknown[] {
  return mappings.map((m) => ({
    id: m.id || newId('map'),
    name: m.name,
    enabled: m.enabled,
    trigger: m.trigger,
    action: m.action,
    fields: m.fields ?? {},
  }));
}

function versionMessage(doc: DestinationMappingVersionDoc): DestinationMappingVersion {
  return {
    version: doc.version,
    mappings: doc.mappings.map((m) => mappingMessage(mappingFromDoc(m))),
    changedBy: doc.changedBy,
    changedAt: doc.changedAt,
    comment: doc.comment,
    diff: doc.diff,
  };
}
