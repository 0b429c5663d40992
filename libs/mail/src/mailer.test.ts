import { startSmtpReceiver, testLogger, type SmtpReceiver } from '@manifold/testing';
import { createMailer, smtpMailer } from './mailer';

describe('mailer', () => {
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
  });

  afterAll(async () => {
    await smtp?.stop();
  });

  it('sends over SMTP with the configured sender', async () => {
    const mailer = smtpMailer({ url: smtp.url, from: 'Manifold <noreply@manifold.test>' });
    try {
      expect(mailer.delivers).toBe(true);
      await mailer.send({ to: 'someone@acme.test', subject: 'Hello', text: 'A line of text.' });
    } finally {
      mailer.close();
    }
    const mail = await smtp.waitFor((m) => m.subject === 'Hello');
    expect(mail).toEqual({
      to: ['someone@acme.test'],
      from: 'noreply@manifold.test',
      subject: 'Hello',
      text: 'A line of text.\n',
    });
  });

  it('without SMTP settings, sends nothing and says so', async () => {
    const mailer = createMailer(undefined, testLogger('mail'));
    expect(mailer.delivers).toBe(false);
    const before = smtp.mails.length;
    await mailer.send({ to: 'someone@acme.test', subject: 'Not sent', text: 'secret link' });
    mailer.close();
    expect(smtp.mails.length).toBe(before);
  });
});
