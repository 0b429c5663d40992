import { useState, type InputHTMLAttributes } from 'react';

/**
 * A text input that hands its value over when it loses focus (changed) or on Enter, not on each keystroke:
 * a value read as it is typed ("1," as allowed numbers) would be rewritten under the cursor.
 */
export function CommitInput(
  props: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
    value: string;
    onCommit(value: string): void;
  },
) {
  const { value, onCommit, ...rest } = props;
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    // The value changed from outside (the raw JSON applied, a version restored).
    setSeen(value);
    setText(value);
  }
  return (
    <input
      {...rest}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => {
        if (text !== value) onCommit(text);
      }}
      onKeyDown={(e) => {
        // Enter hands the value over even unchanged, so a refused value typed again is checked again.
        if (e.key === 'Enter') {
          e.preventDefault();
          onCommit(text);
        }
      }}
    />
  );
}
