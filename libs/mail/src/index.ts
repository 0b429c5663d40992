export { createMailer, smtpMailer, type Mail, type Mailer, type SmtpSettings } from './mailer';
