// Each app's signature scheme, with signatures built by the test from the published scheme.
import { createHmac } from 'node:crypto';
import { githubHeaders, shopifyHeaders, stripeHeaders } from '../test-support/webhook-deliveries';
import { verifyGeneric, verifyGithub, verifyShopify, verifyStripe } from './signatures';

const BODY = '{"id":"evt_1","type":"charge.succeeded"}';
const raw = Buffer.from(BODY);
const SECRET = 'whsec_unit_secret';
const now = Date.UTC(2026, 11, 2, 16, 0, 0);
const at = now / 1000;

describe('Stripe-Signature', () => {
  const header = (t: number, secret = SECRET, body = BODY) => stripeHeaders(body, secret, t)['stripe-signature'];

  it('accepts a signature of t.body made with the secret, within five minutes either way', () => {
    expect(verifyStripe(header(at), raw, SECRET, now)).toEqual({ ok: true });
    expect(verifyStripe(header(at - 299), raw, SECRET, now)).toEqual({ ok: true });
    expect(verifyStripe(header(at + 299), raw, SECRET, now)).toEqual({ ok: true });
  });

  it('accepts any v1 (a rolled secret signs too) and ignores v0', () => {
    const old = createHmac('sha256', 'whsec_old').update(`${at}.${BODY}`).digest('hex');
    const both = `t=${at},v0=deadbeef,v1=${old},${header(at).split(',')[1]}`;
    expect(verifyStripe(both, raw, SECRET, now)).toEqual({ ok: true });
  });

  it.each([
    ['no header', undefined, /missing/],
    ['an old timestamp', `t=${at - 301},v1=${'0'.repeat(64)}`, /301 s away/],
    ['no timestamp', `v1=${'0'.repeat(64)}`, /no timestamp/],
    ['no v1', `t=${at},v0=abc`, /no v1/],
    ['not hex', `t=${at},v1=zz`, /matches/],
  ])('refuses %s', (_what, value, reason) => {
    const verdict = verifyStripe(value, raw, SECRET, now);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(reason);
  });

  it('refuses another secret, another body, or a re-serialised body', () => {
    expect(verifyStripe(header(at, 'whsec_other'), raw, SECRET, now).ok).toBe(false);
    expect(verifyStripe(header(at), Buffer.from(BODY.replace('1', '2')), SECRET, now).ok).toBe(false);
    const spaced = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(verifyStripe(header(at), Buffer.from(spaced), SECRET, now).ok).toBe(false);
  });

  it('never quotes the secret or the expected signature', () => {
    const expected = createHmac('sha256', SECRET).update(`${at}.${BODY}`).digest('hex');
    const verdict = verifyStripe(header(at, 'whsec_other'), raw, SECRET, now);
    expect(JSON.stringify(verdict)).not.toContain(SECRET);
    expect(JSON.stringify(verdict)).not.toContain(expected);
  });
});

describe('X-Hub-Signature-256 (GitHub) and X-Signature-256 (generic)', () => {
  const sig = githubHeaders(BODY, 'push', 'd-1', SECRET)['x-hub-signature-256'];

  it('accepts sha256=<hex HMAC of the body>', () => {
    expect(verifyGithub(sig, raw, SECRET)).toEqual({ ok: true });
    expect(verifyGeneric(sig, raw, SECRET)).toEqual({ ok: true });
  });

  it.each([
    ['no header', undefined],
    ['no prefix', sig.slice('sha256='.length)],
    ['a SHA-1 signature', `sha1=${createHmac('sha1', SECRET).update(BODY).digest('hex')}`],
    ['another secret', githubHeaders(BODY, 'push', 'd-1', 'other')['x-hub-signature-256']],
    ['a shorter signature', sig.slice(0, -2)],
  ])('refuses %s', (_what, value) => {
    expect(verifyGithub(value, raw, SECRET).ok).toBe(false);
    const generic = verifyGeneric(value, raw, SECRET);
    expect(!generic.ok && generic.reason).toMatch(/X-Signature-256/);
  });
});

describe('X-Shopify-Hmac-Sha256', () => {
  const sig = shopifyHeaders(BODY, 'orders/create', 'w-1', SECRET)['x-shopify-hmac-sha256'];

  it('accepts the base64 HMAC of the body', () => {
    expect(verifyShopify(sig, raw, SECRET)).toEqual({ ok: true });
  });

  it.each([
    ['no header', undefined],
    ['the hex form', createHmac('sha256', SECRET).update(BODY).digest('hex')],
    ['another secret', shopifyHeaders(BODY, 'orders/create', 'w-1', 'other')['x-shopify-hmac-sha256']],
    ['not base64', '***'],
  ])('refuses %s', (_what, value) => {
    expect(verifyShopify(value, raw, SECRET).ok).toBe(false);
  });
});
