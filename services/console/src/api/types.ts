// The Public API's JSON types, for clients in TypeScript (the web app among them).
import type { z } from 'zod';
import type * as models from './models';
import type * as operations from './operations-models';
import type * as tests from './destination-test-models';
import type * as retl from './reverse-etl-models';
import type * as webhookMapping from './webhook-mapping-models';
import type * as plans from './tracking-plan-models';
import type * as planViolations from './plan-violation-models';

export type ApiErrorBody = z.output<typeof models.ErrorBody>;
export type PageInfo = z.output<typeof models.PageInfo>;
export type StatusChange = z.output<typeof models.StatusChange>;
export type Workspace = z.output<typeof models.Workspace>;
export type WorkspaceMember = z.output<typeof models.Member>;
export type Source = z.output<typeof models.Source>;
export type Destination = z.output<typeof models.Destination>;
export type DestinationMapping = z.output<typeof models.DestinationMapping>;
export type DestinationMappingVersion = z.output<typeof models.DestinationMappingVersion>;
export type CatalogEntry = z.output<typeof models.CatalogEntry>;
export type CatalogAction = z.output<typeof models.CatalogAction>;
export type CatalogActionField = z.output<typeof models.CatalogActionField>;
export type DeliveryStats = z.output<typeof models.DeliveryStats>;
export type WarehouseLoad = z.output<typeof models.WarehouseLoad>;
export type WarehouseStatus = z.output<typeof models.WarehouseStatus>;
export type DeliveryView = z.output<typeof models.DeliveryView>;
export type DeliveryBucket = z.output<typeof models.DeliveryBucket>;
export type DeliveryErrorSample = z.output<typeof models.DeliveryErrorSample>;
export type IntegrationRequest = z.output<typeof models.IntegrationRequest>;
export type ApiToken = z.output<typeof models.ApiToken>;
export type Invitation = z.output<typeof models.Invitation>;
export type CreatedInvitation = z.output<typeof models.CreatedInvitation>;
export type DeadLetter = z.output<typeof operations.DeadLetter>;
export type DeadLetterPage = z.output<typeof operations.DeadLetterPage>;
export type Redrive = z.output<typeof operations.Redrive>;
export type Replay = z.output<typeof operations.Replay>;
export type QuarantineReplay = z.output<typeof operations.QuarantineReplay>;
export type EventTrace = z.output<typeof operations.EventTrace>;
export type RunOutcomes = z.output<typeof operations.RunOutcomes>;
export type HttpRequestSample = z.output<typeof models.RequestSample>;
export type HttpResponseSample = z.output<typeof models.ResponseSample>;
export type ReverseEtlModel = z.output<typeof retl.ReverseEtlModel>;
export type ReverseEtlConnection = z.output<typeof retl.ReverseEtlConnection>;
export type ReverseEtlRun = z.output<typeof retl.ReverseEtlRun>;
export type ModelPreview = z.output<typeof retl.ModelPreview>;
export type SuggestedConnectionFields = z.output<typeof retl.SuggestedConnectionFields>;
export type WebhookMappingPreview = z.output<typeof webhookMapping.WebhookMappingPreview>;
export type TrackingPlan = z.output<typeof plans.TrackingPlan>;
export type TrackingPlanRules = z.output<typeof plans.PlanRules>;
export type TrackingPlanVersion = z.output<typeof plans.TrackingPlanVersion>;
export type TrackingPlanChange = z.output<typeof plans.PlanChange>;
export type TrackingPlanPreview = z.output<typeof plans.PlanPreview>;

/** A workspace made outside the console (e.g. by `pnpm start` or `manifold apply`) that first-run setup can take over. */
export interface AdoptableWorkspace {
  slug: string;
  name: string;
}

/** What the web app starts from (GET /auth/state): the user, the session's CSRF token, and whether first-run setup is due. */
export interface AuthState {
  user: { email: string } | null;
  csrfToken: string | null;
  setupNeeded: boolean;
  /**
   * While setup is due and the console has no setup token: workspaces made outside the console
   * that the first owner can take over. With a token, `POST /auth/setup/adoptable` lists them.
   */
  adoptable?: AdoptableWorkspace[];
  /** While setup is due: true when it asks for the setup token (CONSOLE_SETUP_TOKEN). */
  setupTokenRequired?: boolean;
}

/** What the invitation page learns from its link (POST /auth/invitations/lookup). */
export interface InvitationDetails {
  email: string;
  role: string;
  invitedBy: string;
  expiresAt: string;
  workspace: { slug: string; name: string };
  /** True: the invitee signs in to accept; false: they choose their password. */
  accountExists: boolean;
}
export type TestDestinationRequest = z.input<typeof tests.TestDestinationBody>;
export type TestDestinationResult = z.output<typeof tests.TestDestinationResult>;
export type PlanViolations = z.output<typeof planViolations.PlanViolations>;
export type PlanViolationGroup = z.output<typeof planViolations.PlanViolationGroup>;
