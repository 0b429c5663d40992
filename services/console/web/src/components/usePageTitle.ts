import { useEffect } from 'react';

/** Sets the tab's title, most specific part first: "Website · Sources · Acme · Manifold". */
export function usePageTitle(...parts: Array<string | undefined>): void {
  const title = [...parts.filter((p): p is string => !!p), 'Manifold'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
