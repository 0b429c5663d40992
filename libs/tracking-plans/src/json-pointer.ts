/**
 * JSON pointers (RFC 6901) into an event's `properties` or `traits`: how violations name where
 * they are, and how `drop_property` finds the one value to remove.
 */

/** The pointer of one property name below `parent` (`~` and `/` escaped). */
export function pointerTo(name: string, parent = ''): string {
  return `${parent}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A pointer's reference tokens, unescaped; `''` (the whole object) has none. */
function tokensOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Whether `pointer` is `ancestor` itself or lies below it. */
function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}

/**
 * Removes the value at each pointer from `root`, in place, and returns the pointers whose value
 * was there and is now gone. A property is deleted from its object; an array item is taken out
 * of its array (the array itself stays, with the other items). A pointer below another one given
 * is left out: its value goes with its ancestor. Pointers to nothing are left out too. Items of one array are taken out from the last
 * one back, so each pointer still names the item it was about.
 */
export function removeAtPointers(
  root: Record<string, unknown>,
  pointers: Iterable<string>,
  /** Given, it is told each value removed, by its pointer (what a sample of the violation shows). */
  removedValues?: Map<string, unknown>,
): string[] {
  const unique = [...new Set(pointers)].filter((p) => p !== '');
  const outermost = unique.filter((p) => !unique.some((other) => other !== p && isWithin(p, other)));
  // Later array items first: removing one shifts the indexes of those after it, never before.
  const ordered = outermost
    .map((pointer) => ({ pointer, tokens: tokensOf(pointer) }))
    .sort((a, b) => compareTokens(b.tokens, a.tokens));
  const removed = new Set<string>();
  for (const { pointer, tokens } of ordered) {
    let value: unknown = root;
    if (removedValues) for (const token of tokens) value = childOf(value, token);
    if (removeAt(root, tokens)) {
      removed.add(pointer);
      removedValues?.set(pointer, value);
    }
  }
  // In the order given (the violations' order), not the order of removal.
  return outermost.filter((pointer) => removed.has(pointer));
}

function removeAt(root: unknown, tokens: readonly string[]): boolean {
  let parent: unknown = root;
  for (const token of tokens.slice(0, -1)) parent = childOf(parent, token);
  const last = tokens[tokens.length - 1];
  if (last === undefined) return false;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length);
    if (index === undefined) return false;
    parent.splice(index, 1);
    return true;
  }
  if (typeof parent !== 'object' || parent === null || !Object.hasOwn(parent, last)) return false;
  delete (parent as Record<string, unknown>)[last];
  return true;
}

function childOf(value: unknown, token: string): unknown {
  if (Array.isArray(value)) {
    const index = arrayIndex(token, value.length);
    return index === undefined ? undefined : value[index];
  }
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, token)) return undefined;
  return (value as Record<string, unknown>)[token];
}

function arrayIndex(token: string, length: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const index = Number(token);
  return index < length ? index : undefined;
}

/** Token by token; array indexes as numbers, so `/items/10` comes after `/items/9`. */
function compareTokens(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    if (numeric) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
