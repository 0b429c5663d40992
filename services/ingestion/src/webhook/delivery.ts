import type { IncomingHttpHeaders } from 'node:http';
import { isPlainObject } from '@manifold/json';
import type { Verdict } from './signatures';

/** A Spec call as a translation makes it; ingestion then validates and enriches it like any other. */
export type WebhookCall = Record<string, unknown>;

/** One delivery of an app, its signature already checked. */
export interface Delivery {
  headers: IncomingHttpHeaders;
  /** The body's JSON object. */
  payload: Record<string, unknown>;
  /** The exact bytes received (generic sources derive a messageId from them). */
  raw: Buffer;
}

/** What a delivery becomes: Spec calls, or nothing, for a kind of event no translation reads. */
export type Translation = { calls: WebhookCall[] } | { ignored: string };

/** One app: how it signs its deliveries, and how they become Spec calls. */
export interface WebhookApp {
  verify(headers: IncomingHttpHeaders, raw: Buffer, secret: string, nowMs: number): Verdict;
  translate(delivery: Delivery, mapping: Record<string, unknown> | undefined): Translation;
}

/** One header's value (the first, if repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A nested object of a payload, or an empty one. */
export function objectAt(value: unknown, key: string): Record<string, unknown> {
  const inner = isPlainObject(value) ? value[key] : undefined;
  return isPlainObject(inner) ? inner : {};
}

/** An id as a Spec user id: strings as they are, numbers as their digits (Shopify, GitHub). */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** `"customer.subscription.trial_will_end"` → `"Customer Subscription Trial Will End"`. */
export function titleCase(words: string): string {
  return words
    .split(/[._/\s-]+/)
    .filter((word) => word !== '')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** Unix seconds as an ISO time; undefined when not a number. */
export function unixTime(seconds: unknown): string | undefined {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;
}

/**
 * Keys whose value is undefined left out, so that an absent field of the app's object does not
 * appear as a key at all (the stored JSON would drop it anyway; tests compare objects).
 */
export function defined(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * An app's postal address as the Spec's `address` trait; `lines` are its street lines (empty
 * ones left out), the other parts are read from the app's own field names.
 */
export function specAddress(
  address: unknown,
  fields: { lines: [string, string]; city: string; state: string; postalCode: string; country: string },
): Record<string, unknown> | undefined {
  if (!isPlainObject(address)) return undefined;
  const street = fields.lines
    .map((name) => address[name])
    .filter((line) => typeof line === 'string' && line !== '')
    .join(', ');
  return defined({
    street: street || undefined,
    city: address[fields.city] ?? undefined,
    state: address[fields.state] ?? undefined,
    postalCode: address[fields.postalCode] ?? undefined,
    country: address[fields.country] ?? undefined,
  });
}
