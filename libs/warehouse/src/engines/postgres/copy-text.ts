import type { CellValue } from '../../layout';

// PostgreSQL's COPY text format: tab-separated, \N for null, backslash escapes.
const NEEDS_ESCAPE = /[\\\t\n\r]/;

function escapeText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export interface CopyChunkOptions {
  /** Joined lines are yielded once about this many characters are waiting. */
  chunkBytes?: number;
  /**
   * The caller knows no string holds a backslash, tab or line break (see SourceBatch.plainText),
   * so strings go out as they are: the escape check is most of the per-cell cost otherwise.
   */
  plainText?: boolean;
}

/** COPY text lines for rows, joined into chunks of about `chunkBytes`, so the socket gets few large writes. */
export function* copyChunks(
  rows: ReadonlyArray<ReadonlyArray<CellValue | null>>,
  options: CopyChunkOptions = {},
): Generator<string> {
  const chunkBytes = options.chunkBytes ?? 256 * 1024;
  const plain = options.plainText === true;
  let chunk = '';
  for (const row of rows) {
    const n = row.length;
    for (let i = 0; i < n; i++) {
      const value = row[i] ?? null;
      // Appended straight to the chunk: no per-line string to build and copy again.
      if (i > 0) chunk += '\t';
      if (value === null) chunk += '\\N';
      else if (typeof value === 'string') chunk += plain ? value : escapeText(value);
      else if (typeof value === 'number') chunk += String(value);
      else chunk += value ? 't' : 'f';
    }
    chunk += '\n';
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
