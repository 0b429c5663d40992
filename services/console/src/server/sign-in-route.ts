import express, { type Express, type Response } from 'express';
import { z } from 'zod';
import { type SignInThrottle } from '../auth/sign-in-throttle';
import { lockoutMail } from '../mail/messages';
import { normalizeEmail } from '../store/accounts';
import type { ConsoleContext } from './context';
import { checkOrigin } from './csrf';
import { HttpError } from './http-error';
import { jsonRoute, parseBody, requireJson } from './json-route';
import { startSession } from './session-cookie';

const credentials = z.object({ email: z.email('enter an email address'), password: z.string().min(1) });

const minutes = (seconds: number): string => `${Math.ceil(seconds / 60)} min`;

function locked(res: Response, until: Date, now: Date, mailer: boolean): HttpError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  res.set('retry-after', String(seconds));
  return new HttpError(
    429,
    'rate_limited',
    `this account is locked for ${minutes(seconds)} after too many wrong passwords` +
      (mailer ? '; its owner has been sent an email about it' : ''),
  );
}

/**
 * Sign-in, guarded three ways: wrong passwords for one email from one address and across the
 * whole console are throttled in memory (SignInThrottle); wrong passwords for one email from
 * anywhere lock it for a while, in MongoDB (SignInFailureStore), and its owner is emailed.
 */
export function mountSignInRoute(
  app: Express,
  context: ConsoleContext,
  sessionTtlMs: number,
  throttle: SignInThrottle,
): void {
  const { stores } = context;
  app.post(
    '/auth/signin',
    express.json(),
    jsonRoute(context, async (req, res) => {
      requireJson(req);
      checkOrigin(req, context.publicUrl);
      const body = parseBody(credentials, req.body);
      const address = req.ip ?? '';
      const wait = throttle.wait(body.email, address);
      if (wait) {
        res.set('retry-after', String(wait.seconds));
        throw new HttpError(
          429,
          'rate_limited',
          wait.scope === 'global'
            ? `sign-in is paused for everyone after many wrong passwords on this console: try again in ${wait.seconds} s`
            : `too many wrong passwords: try again in ${minutes(wait.seconds)}`,
        );
      }
      const lockedUntil = await stores.signInFailures.lockedUntil(body.email);
      if (lockedUntil) throw locked(res, lockedUntil, new Date(), context.mailer !== undefined);
      const email = await stores.accounts.verify(body.email, body.password);
      if (!email) {
        throttle.recordFailure(body.email, address);
        const lock = await stores.signInFailures.recordFailure(body.email);
        if (!lock) throw new HttpError(401, 'unauthenticated', 'wrong email or password');
        context.logger.warn({ address }, 'account locked after wrong passwords');
        void notifyLocked(context, body.email, lock.lockedUntil, address);
        throw locked(res, lock.lockedUntil, new Date(), context.mailer !== undefined);
      }
      throttle.recordSuccess(body.email, address);
      await stores.signInFailures.clear(email);
      return startSession(context, sessionTtlMs, req, res, email);
    }),
  );
}

/** Mails the account's owner about the lock; emails without an account get nothing (but the same answer). */
async function notifyLocked(context: ConsoleContext, email: string, lockedUntil: Date, address: string): Promise<void> {
  try {
    if (!context.mailer || !(await context.stores.accounts.exists(email))) return;
    await context.mailer.send(lockoutMail({ to: normalizeEmail(email), lockedUntil, address }));
  } catch (error) {
    context.logger.warn({ err: error }, 'lockout mail not sent');
  }
}
