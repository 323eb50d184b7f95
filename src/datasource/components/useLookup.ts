import { useEffect, useState } from 'react';

import type { LensDataSource } from '../datasource';

export interface LookupState {
  values: string[];
  loading: boolean;
  error?: string;
}

/**
 * Values of one resource endpoint (shared/resources.ts) for a picker. Reloads when the path
 * or params change; `enabled=false` (e.g. no service chosen yet) loads nothing.
 */
export function useLookup(
  ds: LensDataSource,
  path: string,
  params: Record<string, string | number | undefined>,
  enabled = true
): LookupState {
  const key = JSON.stringify(params);
  const [state, setState] = useState<LookupState>({ values: [], loading: enabled });
  useEffect(() => {
    if (!enabled) {
      setState({ values: [], loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    const clean: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(JSON.parse(key) as Record<string, string | number | undefined>)) {
      if (v !== undefined && v !== '') {
        clean[k] = v;
      }
    }
    ds.lookup(path, clean).then(
      (values) => live && setState({ values, loading: false }),
      (e) => live && setState({ values: [], loading: false, error: ds.errorText(e) })
    );
    return () => {
      live = false;
    };
  }, [ds, path, key, enabled]);
  return state;
}
