/** `Date` as a datetime-local input's value (to the second) in the browser's time zone. */
export function localValue(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 19);
}
