import { useEffect, useRef, useState, type ReactNode } from 'react';

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

  useEffect(() => {
    if (!open) return;
    const details = ref.current;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || !details) return;
      event.preventDefault();
      details.open = false;
      details.querySelector('summary')?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (details && !details.contains(event.target as Node)) details.open = false;
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <details
      ref={ref}
      className={props.className}
      data-testid={props.testId}
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary className={props.summaryClassName} aria-label={props.summaryLabel}>
        {props.summary}
      </summary>
      {props.children}
    </details>
  );
}
