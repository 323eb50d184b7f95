import React, { useMemo } from 'react';
import type { SelectableValue } from '@grafana/data';
import { FieldValidationMessage, Select } from '@grafana/ui';

import type { LensDataSource } from '../datasource';
import { useLookup } from './useLookup';

interface Props {
  datasource: LensDataSource;
  path: string;
  params?: Record<string, string | number | undefined>;
  enabled?: boolean;
  value?: string;
  onChange: (value: string | undefined) => void;
  inputId: string;
  placeholder?: string;
  width?: number;
  /** Offered first (e.g. configured histogram metrics, template variables). */
  extra?: string[];
}

/** A picker filled from one resource endpoint; any typed value (or `$variable`) is accepted too; a failed look-up is shown under it. */
export function ResourceSelect({ datasource, path, params = {}, enabled = true, value, onChange, inputId, placeholder, width = 30, extra = [] }: Props) {
  const available = datasource.canLookup(path, params);
  const { values, loading, error } = useLookup(datasource, path, params, enabled && available);
  const options = useMemo<Array<SelectableValue<string>>>(
    () => Array.from(new Set([...extra, ...values])).map((v) => ({ label: v, value: v })),
    [values, extra]
  );
  // The error stands below the picker: a chosen value or configured values would hide it
  // in the placeholder or the empty-menu message.
  return (
    <>
      <Select<string>
        inputId={inputId}
        options={options}
        value={value ? { label: value, value } : null}
        onChange={(v) => onChange(v?.value || undefined)}
        allowCustomValue
        isClearable
        isLoading={loading}
        invalid={Boolean(error)}
        placeholder={available ? placeholder : 'Type a value (store not configured)'}
        noOptionsMessage={error ? `Could not load: ${error}` : 'No values found'}
        width={width}
      />
      {error && <FieldValidationMessage>Could not load: {error}</FieldValidationMessage>}
    </>
  );
}
