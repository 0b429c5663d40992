import { settingSecrets, type SettingSecrets } from '@manifold/secrets';
import { z } from 'zod';
import { CALL_TYPES, type CallType } from '@manifold/events';
import {
  isUnsupported,
  type AnyAction,
  type DestinationDefinition,
  type DestinationSettingsSchema,
} from './definition';
import type { Mapping } from './mapping';
import { actionFields, type CatalogActionField } from './action-fields';
import type { CatalogOAuth } from './oauth';

export interface CatalogAction {
  id: string;
  title: string;
  description: string;
  /** JSON Schema of the mapped payload. */
  fieldsSchema: Record<string, unknown>;
  defaultMapping: Mapping;
  /** The fields in order, described for a mapping editor. */
  fields: CatalogActionField[];
  /** Most events per request when the action batches. */
  maxBatchSize?: number;
}

/** What the control plane shows and validates for a destination type; derived, never written by hand. */
export interface CatalogEntry {
  id: string;
  name: string;
  description: string;
  categories: string[];
  /** JSON Schema (draft 2020-12) of the settings, as the user fills them in (defaults not required). */
  settingsSchema: Record<string, unknown>;
  /**
   * Every setting that holds credentials, and how (`whole`, `values` of a header map, or a `url`
   * whose userinfo, query values and path tokens are credentials): what the control plane
   * encrypts and masks, and what the translator masks in records. Derived from the schema by
   * `settingSecrets` (`@manifold/secrets`), the one place that decides it.
   */
  secrets: SettingSecrets;
  supportedCallTypes: CallType[];
  actions: CatalogAction[];
  /** Present when instances can be connected with OAuth (the console's "Connect" button). */
  oauth?: CatalogOAuth;
}

export function catalogEntry<S extends DestinationSettingsSchema>(destination: DestinationDefinition<S>): CatalogEntry {
  const settingsSchema = z.toJSONSchema(destination.settings, { io: 'input' }) as Record<string, unknown>;
  const secrets = settingSecrets(settingsSchema);
  return {
    id: destination.id,
    name: destination.name,
    description: destination.description,
    categories: [...destination.categories],
    settingsSchema,
    secrets,
    supportedCallTypes: CALL_TYPES.filter((type) => {
      const route = destination.routes[type];
      return route !== undefined && !isUnsupported(route) && route.length > 0;
    }),
    actions: Object.entries(destination.actions).map(([id, action]) => {
      const fieldsSchema = z.toJSONSchema(action.fields, { io: 'output', unrepresentable: 'any' }) as Record<
        string,
        unknown
      >;
      return {
        id,
        title: action.title,
        description: action.description,
        fieldsSchema,
        defaultMapping: action.defaultMapping as Mapping,
        fields: actionFields(action as AnyAction),
        ...(action.batch ? { maxBatchSize: action.batch.maxEvents } : {}),
      };
    }),
    ...(destination.oauth ? { oauth: { scopes: [...destination.oauth.scopes] } } : {}),
  };
}
