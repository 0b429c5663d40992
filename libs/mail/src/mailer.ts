import nodemailer from 'nodemailer';
import type { Logger } from '@manifold/logger';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://... */
  url: string;
  /** The From header, e.g. "Manifold <manifold@example.com>". */
  from: string;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Whether mail really leaves this process (false: only logged). */
  readonly delivers: boolean;
  send(mail: Mail): Promise<void>;
  /** Closes the SMTP connection, if any. */
  close(): void;
}

/** SMTP through nodemailer. */
export function smtpMailer(settings: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport(settings.url);
  return {
    delivers: true,
    async send(mail) {
      await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}

/**
 * SMTP when settings are given; otherwise a mailer that logs who would have been mailed (never the
 * text, which may hold links meant for the recipient only) and sends nothing.
 */
export function createMailer(settings: SmtpSettings | undefined, logger: Logger): Mailer {
  if (settings) return smtpMailer(settings);
  return {
    delivers: false,
    async send(mail) {
      logger.warn({ to: mail.to, subject: mail.subject }, 'no SMTP configured (SMTP_URL); mail not sent');
    },
    close: () => undefined,
  };
}
