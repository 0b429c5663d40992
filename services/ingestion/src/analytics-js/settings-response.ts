import type { SourceConfig } from '@manifold/config-client';

export interface SettingsContext {
  source: SourceConfig;
  writeKey: string;
  /** Where browsers reach this service: scheme and host (with port), no path. */
  publicOrigin: URL;
  /** Names of the cloud-mode destinations connected to the source. */
  destinationNames: string[];
}

/**
 * The settings document analytics.js (analytics-next) loads at start
 * (docs/event-spec.md#analyticsjs-settings). Only `Segment.io` is listed as an integration, so the
 * browser loads no device-mode code and sends every event to `apiHost`, which points back at this
 * service.
 */
export function analyticsSettings({ writeKey, publicOrigin, destinationNames }: SettingsContext) {
  const protocol = publicOrigin.protocol === 'https:' ? 'https' : 'http';
  const apiHost = `${publicOrigin.host}/v1`;
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost,
        protocol,
        unbundledIntegrations: destinationNames,
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
        versionSettings: { version: '4.4.7', componentTypes: ['browser'] },
      },
    },
    plan: {
      track: { __default: { enabled: true, integrations: {} } },
      identify: { __default: { enabled: true } },
      group: { __default: { enabled: true } },
    },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    // analytics.js posts its own telemetry to <host>/m over https only; over plain http it
    // would only produce failing requests, so it is sampled to nothing there.
    metrics: { sampleRate: protocol === 'https' ? 0.1 : 0, host: apiHost },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
    consentSettings: { allCategories: [], hasUnmappedDestinations: false },
    autoInstrumentationSettings: { sampleRate: 0 },
  };
}
