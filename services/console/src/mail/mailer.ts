import nodemailer from 'nodemailer';

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

/** Sends the console's mail. Without SMTP settings the console has none, and shows links to the user instead. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer, as the control plane sends its auto-disable warnings. */
export function smtpMailer(settings: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport(settings.url);
  return {
    async send(mail) {
      await transport.sendMail({ from: settings.from, ...mail });
    },
    close: () => transport.close(),
  };
}
