import type { WebhookApp } from '../delivery';
import { generic } from './generic';
import { github } from './github';
import { shopify } from './shopify';
import { stripe } from './stripe';

/** Each kind of webhook source the control plane accepts (WEBHOOK_KINDS there), by name. */
export const WEBHOOK_APPS: Readonly<Record<string, WebhookApp>> = { stripe, github, shopify, generic };
