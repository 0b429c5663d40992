import { isPlainObject } from '@manifold/json';

// What Slack refuses in an incoming-webhook message, as the error code it answers with (400).

const MAX_BLOCKS = 50;
const MAX_ATTACHMENTS = 100;
const MAX_SECTION_TEXT = 3000;
const MAX_HEADER_TEXT = 150;
const BLOCK_TYPES = new Set([
  'section',
  'header',
  'divider',
  'image',
  'context',
  'actions',
  'input',
  'file',
  'rich_text',
  'video',
]);
const BOOLEAN_FIELDS = ['mrkdwn', 'unfurl_links', 'unfurl_media'];
const TEXT_FIELDS = ['text', 'channel', 'username', 'icon_url', 'icon_emoji', 'thread_ts'];

/** The error code Slack answers for this message, or undefined when it is posted. */
export function messageProblem(message: Record<string, unknown>): string | undefined {
  for (const key of TEXT_FIELDS) {
    if (message[key] !== undefined && typeof message[key] !== 'string') return 'invalid_payload';
  }
  for (const key of BOOLEAN_FIELDS) {
    if (message[key] !== undefined && typeof message[key] !== 'boolean') return 'invalid_payload';
  }
  const { blocks, attachments } = message;
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) return 'invalid_attachments';
    if (attachments.length > MAX_ATTACHMENTS) return 'too_many_attachments';
  }
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) return 'invalid_blocks_format';
    if (blocks.length > MAX_BLOCKS) return 'invalid_blocks';
    if (blocks.some((block) => blockProblem(block))) return 'invalid_blocks';
  }
  const hasText = typeof message['text'] === 'string' && message['text'].trim() !== '';
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
  if (!hasText && !hasBlocks && !hasAttachments) return 'no_text';
  return undefined;
}

function blockProblem(block: unknown): boolean {
  if (!isPlainObject(block) || typeof block['type'] !== 'string' || !BLOCK_TYPES.has(block['type'])) return true;
  const text = isPlainObject(block['text']) ? block['text']['text'] : undefined;
  if (block['type'] === 'section') return typeof text === 'string' && text.length > MAX_SECTION_TEXT;
  if (block['type'] === 'header') return typeof text !== 'string' || text.length > MAX_HEADER_TEXT;
  return false;
}
