/** What a list or page shows while its data is on the way. */
export function Loading({ what }: { what?: string }) {
  return (
    <span className="loading-line" role="status">
      Loading{what ? ` ${what}` : ''}…
    </span>
  );
}
