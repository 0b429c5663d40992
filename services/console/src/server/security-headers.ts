import type { RequestHandler } from 'express';

/**
 * The web app loads only its own built files (no inline script or style, no eval) and talks only
 * to its own origin (the API, the debugger stream), so everything else is refused.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // For browsers without frame-ancestors.
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'x-permitted-cross-domain-policies': 'none',
};

/** Sets the security headers on every response of the console (HSTS only over https, where it means something). */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.set(HEADERS);
    if (req.secure) res.set('strict-transport-security', 'max-age=31536000');
    next();
  };
}
