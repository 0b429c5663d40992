import type { Collection, Db } from 'mongodb';
import type {
  ConfigVersionDoc,
  DestinationDoc,
  DestinationMappingVersionDoc,
  IntegrationRequestDoc,
  OAuthConnectionDoc,
  OAuthRefreshLeaseDoc,
  OAuthStateDoc,
  SourceDoc,
  WorkspaceDoc,
  WriteKeyDoc,
} from './documents';

/** The control plane's collections, with the indexes its invariants rely on. */
export class Store {
  readonly workspaces: Collection<WorkspaceDoc>;
  readonly sources: Collection<SourceDoc>;
  readonly writeKeys: Collection<WriteKeyDoc>;
  readonly destinations: Collection<DestinationDoc>;
  /** Every saved state of each destination's mappings (who, when, what changed). */
  readonly mappingVersions: Collection<DestinationMappingVersionDoc>;
  readonly integrationRequests: Collection<IntegrationRequestDoc>;
  readonly configVersion: Collection<ConfigVersionDoc>;
  /** One document per auto-disable action taken, so replicas never act twice. */
  readonly autoDisableClaims: Collection<{ _id: string; claimedAt: Date }>;
  readonly oauthStates: Collection<OAuthStateDoc>;
  readonly oauthConnections: Collection<OAuthConnectionDoc>;
  readonly oauthRefreshLeases: Collection<OAuthRefreshLeaseDoc>;

  constructor(readonly db: Db) {
    this.workspaces = db.collection('workspaces');
    this.sources = db.collection('sources');
    this.writeKeys = db.collection('write_keys');
    this.destinations = db.collection('destinations');
    this.mappingVersions = db.collection('destination_mapping_versions');
    this.integrationRequests = db.collection('integration_requests');
    this.configVersion = db.collection('config_version');
    this.autoDisableClaims = db.collection('auto_disable_claims');
    this.oauthStates = db.collection('oauth_states');
    this.oauthConnections = db.collection('oauth_connections');
    this.oauthRefreshLeases = db.collection('oauth_refresh_leases');
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.workspaces.createIndex({ slug: 1 }, { unique: true, name: 'slug_unique' }),
      this.sources.createIndex({ workspaceId: 1, slug: 1 }, { unique: true, name: 'workspace_slug_unique' }),
      this.sources.createIndex({ workspaceId: 1, name: 1 }, { unique: true, name: 'workspace_name_unique' }),
      this.writeKeys.createIndex({ sourceId: 1 }, { name: 'by_source' }),
      this.destinations.createIndex({ workspaceId: 1, name: 1 }, { unique: true, name: 'workspace_name_unique' }),
      this.destinations.createIndex({ sourceIds: 1 }, { name: 'by_source' }),
      this.mappingVersions.createIndex({ destinationId: 1, version: -1 }, { name: 'by_destination' }),
      this.integrationRequests.createIndex({ nameKey: 1 }, { name: 'by_name' }),
    ]);
    // Versions start at 1: data-plane clients read version 0 as "no configuration received yet".
    await this.configVersion.updateOne({ _id: 'config' }, { $setOnInsert: { version: 1 } }, { upsert: true });
  }

  /** Marks that configuration changed; returns the new version. */
  async bumpConfigVersion(): Promise<number> {
    const doc = await this.configVersion.findOneAndUpdate(
      { _id: 'config' },
      { $inc: { version: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    return doc?.version ?? 0;
  }

  async configVersionNow(): Promise<number> {
    return (await this.configVersion.findOne({ _id: 'config' }))?.version ?? 0;
  }
}
