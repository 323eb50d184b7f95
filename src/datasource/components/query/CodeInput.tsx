import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { TextArea, useStyles2 } from '@grafana/ui';
import { useDraft } from '../useDraft';

interface Props {
  id: string;
  value: string;
  placeholder?: string;
  onChange: (value: string) => void;
  onRunQuery: () => void;
  rows?: number;
  'aria-label'?: string;
}

/** A monospace query box: edits locally, commits on blur, runs on Shift+Enter / Ctrl+Enter. */
export function CodeInput({ id, value, placeholder, onChange, onRunQuery, rows = 3, ...rest }: Props) {
  const styles = useStyles2(getStyles);
  const [text, setText] = useDraft(value);
  const commit = () => {
    if (text !== value) {
      onChange(text);
    }
    onRunQuery();
  };
  return (
    <TextArea
      id={id}
      className={styles.code}
      value={text}
      rows={rows}
      placeholder={placeholder}
      spellCheck={false}
      aria-label={rest['aria-label']}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.shiftKey || e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          commit();
        }
      }}
    />
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    minWidth: 480,
  }),
});
