import type { Logger } from '@manifold/logger';
import type { ControlPlane } from '../control-plane/clients';
import type { Mailer } from '@manifold/mail';
import type { SetupToken } from '../setup/setup-token';
import type { ConsoleStores } from './stores';

/** What the console's HTTP handlers share. */
export interface ConsoleContext {
  controlPlane: ControlPlane;
  stores: ConsoleStores;
  logger: Logger;
  /** The console's public origin (e.g. https://console.example.com); unset: taken from each request. */
  publicUrl: string | undefined;
  /** Where browsers load analytics.js and send events (the ingestion's public URL). */
  ingestionPublicUrl: string;
  /** The ingestion's internal URL and admin token, for the debugger stream. */
  ingestionUrl: string;
  ingestionAdminToken: string | undefined;
  /** SMTP for invitations and lockout notices; unset: invitation links are shown to the inviter instead. */
  mailer: Mailer | undefined;
  /** CONSOLE_SETUP_TOKEN: first-run setup asks for it; unset, setup is open to the first visitor. */
  setupToken: SetupToken | undefined;
}
