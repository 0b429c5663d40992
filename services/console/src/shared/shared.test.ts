import { columnChoiceProblem, MAX_CHOSEN_COLUMNS, TABLE_COLUMNS } from './columns';
import { analyticsSnippet } from './snippet';

describe('column choice', () => {
  it('accepts up to five known columns and refuses a sixth, unknown or repeated ones with a reason', () => {
    const sources = TABLE_COLUMNS.sources.map((c) => c.field);
    expect(sources).toEqual(['status', 'environment', 'destinations', 'type', 'category', 'created_at', 'created_by']);
    expect(columnChoiceProblem('sources', sources.slice(0, MAX_CHOSEN_COLUMNS))).toBeUndefined();
    expect(columnChoiceProblem('sources', [])).toBeUndefined();
    expect(columnChoiceProblem('sources', sources.slice(0, 6))).toEqual({
      kind: 'too-many',
      message: 'You can show at most 5 columns. Remove one before adding another.',
    });
    expect(columnChoiceProblem('destinations', ['status', 'environment'])?.message).toMatch(
      /Unknown column environment/,
    );
    expect(columnChoiceProblem('sources', ['type', 'type'])?.kind).toBe('unknown');
  });
});

describe('analytics.js snippet', () => {
  it("loads analytics.js and its settings from this installation's ingestion", () => {
    const snippet = analyticsSnippet('wk_123', 'https://ingest.example.com/');
    expect(snippet).toContain('t.src="https://ingest.example.com/analytics.js/v1/"+key+"/analytics.min.js"');
    expect(snippet).toContain('analytics._cdn="https://ingest.example.com"');
    expect(snippet).toContain('analytics.load("wk_123")');
    expect(snippet).not.toContain('cdn.segment.com');
  });

  it('escapes the write key as a JavaScript string', () => {
    expect(analyticsSnippet('a"b', 'http://x')).toContain('analytics.load("a\\"b")');
  });
});
