// Case conversions of FQL functions. snakecase follows go-snakecase, which Segment uses for
// warehouse names too (libs/warehouse/README.md#layout): a word is a run of capitals/digits followed by a
// run of lower-case letters/digits; anything else separates words and is dropped.

function words(text: string): string[] {
  // eslint-disable-next-line no-control-regex
  const ascii = text.replace(/[^\x00-\x7f]/g, '');
  const out: string[] = [];
  for (const chunk of ascii.split(/[^A-Za-z0-9]+/)) {
    for (const match of chunk.matchAll(/[A-Z0-9]*[a-z0-9]*/g)) if (match[0]) out.push(match[0]);
  }
  return out;
}

export function snakecase(text: string): string {
  if (/^[a-z0-9]+(_[a-z0-9]+)*$/.test(text)) return text;
  return words(text)
    .map((w) => w.toLowerCase())
    .join('_');
}

export function kebabcase(text: string): string {
  return words(text)
    .map((w) => w.toLowerCase())
    .join('-');
}

export function titlecase(text: string): string {
  return words(text)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join(' ');
}
