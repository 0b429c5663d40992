// Local stand-ins for destination APIs, validating requests the way the real ones do.
export {
  Emulator,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
  type RecordedRequest,
  type Failure,
} from './emulator';
export { WebhookEmulator, type WebhookEmulatorOptions, type WebhookDelivery } from './webhook';
export {
  MixpanelEmulator,
  type MixpanelEmulatorOptions,
  type MixpanelEvent,
  type MixpanelFailedRecord,
} from './mixpanel';
export { AmplitudeEmulator, type AmplitudeEmulatorOptions, type AmplitudeEvent } from './amplitude';
export { Ga4Emulator, type Ga4EmulatorOptions, type Ga4Collected } from './ga4';
export {
  validateGa4Body,
  ga4ReservedEventNames,
  type Ga4ValidationMessage,
  type Ga4ValidationCode,
  type Ga4Stream,
} from './ga4-validation';
export {
  CustomerioEmulator,
  type CustomerioEmulatorOptions,
  type CustomerioEvent,
  type CustomerioPerson,
  type CustomerioObject,
} from './customerio';
export { PosthogEmulator, type PosthogEmulatorOptions, type PosthogEvent } from './posthog';
export { BrazeEmulator, type BrazeEmulatorOptions, type BrazeUser, type BrazeTracked } from './braze';
export {
  IntercomEmulator,
  type IntercomEmulatorOptions,
  type IntercomContact,
  type IntercomCompany,
  type IntercomEvent,
} from './intercom';
export { MetaEmulator, type MetaEmulatorOptions, type MetaServerEvent, type MetaMatch } from './meta';
export { type Customer as MetaCustomer, type MatchResult as MetaMatchResult } from './meta-matching';
export { KlaviyoEmulator, type KlaviyoEmulatorOptions, type KlaviyoProfile, type KlaviyoEvent } from './klaviyo';
export { IterableEmulator, type IterableEmulatorOptions, type IterableUser, type IterablePurchase } from './iterable';
export { type WindowLimit } from './fixed-windows';
export { SlackEmulator, type SlackEmulatorOptions, type SlackMessage, type SlackHookState } from './slack';
export { HeapEmulator, type HeapEmulatorOptions, type HeapEvent } from './heap';
export { KeenEmulator, type KeenEmulatorOptions, type KeenStoredEvent } from './keen';
export {
  KissmetricsEmulator,
  type KissmetricsEmulatorOptions,
  type KissmetricsCall,
  type KissmetricsEvent,
} from './kissmetrics';
export {
  HubspotEmulator,
  type HubspotEmulatorOptions,
  type HubspotRecord,
  type HubspotEventOccurrence,
} from './hubspot';
export { GoogleAdsEmulator, type GoogleAdsEmulatorOptions, type GoogleAdsConversion } from './google-ads';
export { SalesforceEmulator, type SalesforceEmulatorOptions, type SalesforceRecord } from './salesforce';
export { type SalesforceObject, type SalesforceError } from './salesforce-validation';
export {
  OAuthProvider,
  type OAuthProviderOptions,
  type OAuthClient,
  type BearerCheck,
  type TokenRequestRecord,
} from './oauth-provider';
export { SendgridEmulator, type SendgridEmulatorOptions, type SendgridContact, type SendgridJob } from './sendgrid';
export { MailchimpEmulator, type MailchimpEmulatorOptions, type MailchimpMember } from './mailchimp';
export { type MergeField as MailchimpMergeField } from './mailchimp-validation';
export { ZendeskEmulator, type ZendeskEmulatorOptions, type ZendeskRecord } from './zendesk';
export { type ZendeskField } from './zendesk-validation';
