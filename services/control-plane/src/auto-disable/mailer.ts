import nodemailer from 'nodemailer';
import type { Logger } from '@manifold/logger';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://... */
  url: string;
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
}

/** SMTP through nodemailer; without SMTP settings, mail is logged instead of sent. */
export function createMailer(settings: SmtpSettings | undefined, logger: Logger): Mailer {
  if (!settings) {
    return {
      delivers: false,
      async send(mail) {
        logger.warn({ to: mail.to, subject: mail.subject }, 'no SMTP configured (SMTP_URL); mail not sent');
      },
    };
  }
  const transport = nodemailer.createTransport(settings.url);
  return {
    delivers: true,
    async send(mail) {
      await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
