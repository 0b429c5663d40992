// Every destination Manifold delivers to, each declared with @manifold/destination-kit in its
// own folder. The catalog the control plane serves is derived from these definitions.
import { catalogEntry, type CatalogEntry, type DestinationDefinition } from '@manifold/destination-kit';
import { amplitude } from './amplitude';
import { braze } from './braze';
import { customerio } from './customerio';
import { ga4 } from './ga4';
import { googleAds } from './google-ads';
import { heap } from './heap';
import { hubspot } from './hubspot';
import { intercom } from './intercom';
import { iterable } from './iterable';
import { kafka } from './kafka';
import { klaviyo } from './klaviyo';
import { mailchimp } from './mailchimp';
import { meta } from './meta';
import { keen } from './keen';
import { kissmetrics } from './kissmetrics';
import { mixpanel } from './mixpanel';
import { posthog } from './posthog';
import { salesforce } from './salesforce';
import { slack } from './slack';
import { sendgrid } from './sendgrid';
import { webhook } from './webhook';
import { zendesk } from './zendesk';

/** All destination definitions, by catalog id. */
export const DESTINATIONS: readonly DestinationDefinition[] = [
  webhook,
  mixpanel,
  amplitude,
  ga4,
  customerio,
  posthog,
  braze,
  intercom,
  meta,
  klaviyo,
  iterable,
  slack,
  heap,
  keen,
  kissmetrics,
  hubspot,
  sendgrid,
  mailchimp,
  zendesk,
  kafka,
  salesforce,
  googleAds,
];

const byId = new Map(DESTINATIONS.map((d) => [d.id, d]));

/** The definition of a catalog id (a DestinationConfig's `catalogId`), or undefined. */
export function destinationById(id: string): DestinationDefinition | undefined {
  return byId.get(id);
}

/** Catalog ids of every destination type, e.g. for a translator's "which types" setting. */
export function destinationIds(): string[] {
  return DESTINATIONS.map((d) => d.id);
}

/** The catalog entries of every destination, for the control plane. */
export function catalog(): CatalogEntry[] {
  return DESTINATIONS.map((d) => catalogEntry(d));
}

export { webhook, webhookSignature, webhookSettings, type WebhookSettings } from './webhook';
export { mixpanel, mixpanelInsertId, mixpanelSettings, type MixpanelSettings } from './mixpanel';
export { amplitude, amplitudeSettings, type AmplitudeSettings } from './amplitude';
export { ga4, ga4Settings, type Ga4Settings } from './ga4';
export { customerio, customerioSettings, type CustomerioSettings } from './customerio';
export { posthog, posthogEventUuid, posthogSettings, type PosthogSettings } from './posthog';
export { intercom, intercomSettings, type IntercomSettings } from './intercom';
export { braze, brazeSettings, type BrazeSettings } from './braze';
export { meta, metaSettings, metaSha256, type MetaSettings } from './meta';
export { klaviyo, klaviyoSettings, type KlaviyoSettings } from './klaviyo';
export { iterable, iterableSettings, type IterableSettings } from './iterable';
export { slack, slackSettings, type SlackSettings } from './slack';
export { heap, heapSettings, type HeapSettings } from './heap';
export { keen, keenSettings, keenUniquenessToken, type KeenSettings } from './keen';
export { kissmetrics, kissmetricsSettings, type KissmetricsSettings } from './kissmetrics';
export { hubspot, hubspotSettings, type HubspotSettings } from './hubspot';
export { sendgrid, sendgridSettings, type SendgridSettings } from './sendgrid';
export { mailchimp, mailchimpSettings, type MailchimpSettings } from './mailchimp';
export { zendesk, zendeskSettings, type ZendeskSettings } from './zendesk';
export { kafka, kafkaSettings, KafkaTransport, type KafkaSettings } from './kafka';
export { salesforce, salesforceSettings, type SalesforceSettings } from './salesforce';
export { googleAds, googleAdsSettings, type GoogleAdsSettings } from './google-ads';
