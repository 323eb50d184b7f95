import { useEffect, useState } from 'react';

import type { LensDataSource } from '../datasource';

export interface LookupState {
  values: string[];
  loading: boolean;
  error?: string;
}

interface Loaded {
  request: string;
  values: string[];
  error?: string;
}

/**
 * Values of one resource endpoint (shared/resources.ts) for a picker. Reloads when the path
 * or params change; `enabled=false` (e.g. no service chosen yet) loads nothing. Loading is
 * derived: the last answer belongs to another request until the new one arrives.
 */
export function useLookup(
  ds: LensDataSource,
  path: string,
  params: Record<string, string | number | undefined>,
  enabled = true
): LookupState {
  const key = JSON.stringify(params);
  const request = `${path}?${key}`;
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  useEffect(() => {
    if (!enabled) {
      return;
    }
    let live = true;
    const clean: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(JSON.parse(key) as Record<string, string | number | undefined>)) {
      if (v !== undefined && v !== '') {
        clean[k] = v;
      }
    }
    ds.lookup(path, clean).then(
      (values) => live && setLoaded({ request, values }),
      (e) => live && setLoaded({ request, values: [], error: ds.errorText(e) })
    );
    return () => {
      live = false;
    };
  }, [ds, path, key, request, enabled]);
  if (!enabled) {
    return { values: [], loading: false };
  }
  if (loaded?.request !== request) {
    return { values: loaded?.values ?? [], loading: true };
  }
  return { values: loaded.values, loading: false, error: loaded.error };
}
