import React from 'react';
import { Input } from '@grafana/ui';
import { useDraft } from '../useDraft';

interface Props {
  id: string;
  value?: string;
  placeholder?: string;
  width?: number;
  invalid?: boolean;
  type?: string;
  onCommit: (value: string) => void;
}

/** An input that edits locally and reports on blur or Enter, like Grafana's query editors. */
export function CommitInput({ id, value = '', placeholder, width, invalid, type, onCommit }: Props) {
  const [text, setText] = useDraft(value);
  const commit = () => onCommit(text);
  return (
    <Input
      id={id}
      type={type}
      value={text}
      placeholder={placeholder}
      width={width}
      invalid={invalid}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}
