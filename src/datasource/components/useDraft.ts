import { useState } from 'react';

/**
 * Local text for an input that commits on blur: follows `value` whenever the saved value changes
 * from outside (adjusted during render, so no effect and no extra render pass).
 */
export function useDraft(value: string): [string, (text: string) => void] {
  const [text, setText] = useState(value);
  const [saved, setSaved] = useState(value);
  if (value !== saved) {
    setSaved(value);
    setText(value);
  }
  return [text, setText];
}
