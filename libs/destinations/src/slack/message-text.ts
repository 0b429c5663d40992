import type { Notices } from '@manifold/destination-kit';
import { cutText } from '../common/cut-text';

// The text of one Slack message: the mapped template, then one line per detail (the event's
// properties or traits by default). Slack reads `<…>` as links and mentions (`<!channel>` would
// notify a whole channel), so the values of details are escaped as Slack asks (&, <, >); the
// template is the user's own and may use that syntax on purpose.

/** Slack cuts message text beyond this many characters; the translation cuts it first, with a notice. */
export const MAX_TEXT_CHARS = 40_000;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The template's text followed by a `• name: value` line per detail, cut to Slack's length. */
export function messageText(text: string, details: Record<string, unknown>, notices: Notices): string {
  const lines = Object.entries(details)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `• ${escapeMrkdwn(name)}: ${escapeMrkdwn(shown(value))}`);
  const full = lines.length > 0 ? `${text}\n${lines.join('\n')}` : text;
  return cutText(full, MAX_TEXT_CHARS, 'text', notices);
}
