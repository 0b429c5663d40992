// Case conversions of FQL functions. snakecase is go-snakecase, which names the warehouses' tables
// and columns too: both come from @manifold/events, so a filter and a warehouse spell a name alike.
import { nameWords, snakeCase } from '@manifold/events';

export const snakecase = snakeCase;

export function kebabcase(text: string): string {
  return nameWords(text)
    .map((w) => w.toLowerCase())
    .join('-');
}

export function titlecase(text: string): string {
  return nameWords(text)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join(' ');
}
