import type { Mail } from '@manifold/mail';

const utc = (date: Date): string => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function invitationMail(input: {
  to: string;
  invitedBy: string;
  workspaceName: string;
  role: string;
  link: string;
  expiresAt: Date;
}): Mail {
  return {
    to: input.to,
    subject: `Manifold: ${input.invitedBy} invited you to ${input.workspaceName}`,
    text: [
      `${input.invitedBy} invited you to the Manifold workspace "${input.workspaceName}" as ${input.role}.`,
      '',
      `Accept the invitation here: ${input.link}`,
      '',
      `The link works once and until ${utc(input.expiresAt)}. If you have no Manifold account yet, you choose`,
      'your password there; if you have one, you sign in to accept. If you did not expect this mail, ignore it.',
    ].join('\n'),
  };
}

export function lockoutMail(input: { to: string; lockedUntil: Date; address: string }): Mail {
  return {
    to: input.to,
    subject: 'Manifold: your account was locked after wrong passwords',
    text: [
      `Too many sign-ins to your Manifold account ${input.to} failed with a wrong password (the last attempt`,
      `came from ${input.address}), so the account is locked until ${utc(input.lockedUntil)}. It unlocks by itself then.`,
      '',
      'If these attempts were not yours, someone tried to guess your password; they did not sign in.',
    ].join('\n'),
  };
}
