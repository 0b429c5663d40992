import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/**
 * A menu that opens from a button (a <details> element, so it works without script too). Escape
 * closes it and puts focus back on its button; a click elsewhere closes it.
 */
export function Popover(props: {
  className: string;
  summary: ReactNode;
  summaryClassName?: string;
  summaryLabel?: string;
  testId?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);

  // Focus is on the button or inside the menu while it is open, so Escape reaches the element itself.
  const onKeyDown = (event: KeyboardEvent<HTMLDetailsElement>) => {
    const details = ref.current;
    if (event.key !== 'Escape' || !details?.open) return;
    event.preventDefault();
    details.open = false;
    details.querySelector('summary')?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const details = ref.current;
    const onPointer = (event: PointerEvent) => {
      if (details && !details.contains(event.target as Node)) details.open = false;
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  return (
    <details
      ref={ref}
      className={props.className}
      data-testid={props.testId}
      onToggle={(e) => setOpen(e.currentTarget.open)}
      onKeyDown={onKeyDown}
    >
      <summary className={props.summaryClassName} aria-label={props.summaryLabel}>
        {props.summary}
      </summary>
      {props.children}
    </details>
  );
}
