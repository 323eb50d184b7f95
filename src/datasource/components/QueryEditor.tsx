import React from 'react';
import { type QueryEditorProps } from '@grafana/data';
import { Field, Input } from '@grafana/ui';

import { type LensDataSource } from '../datasource';
import { type LensQuery } from '../../shared/queryModel';
import { type LensJsonData } from '../../shared/settings';

type Props = QueryEditorProps<LensDataSource, LensQuery, LensJsonData>;

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const traceId = query.queryType === 'trace' ? query.traceId : '';
  return (
    <Field label="Trace ID">
      <Input
        value={traceId}
        onChange={(e) => onChange({ ...query, queryType: 'trace', traceId: e.currentTarget.value } as LensQuery)}
        onBlur={onRunQuery}
      />
    </Field>
  );
}
