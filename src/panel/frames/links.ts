/**
 * Links from field values, as Grafana would build them: `field.getLinks` when Grafana has
 * processed the frame, else the field's configured links interpolated here (`${__value.raw}`,
 * `${__data.fields.<name>}`), internal links turned into Explore URLs. Pure.
 */
import { urlUtil, type DataFrame, type DataLink, type Field } from '@grafana/data';

export interface ValueLink {
  title: string;
  href: string;
  target?: '_blank' | '_self';
}

export function interpolate(template: string, frame: DataFrame, field: Field, row: number): string {
  const raw = String(field.values[row] ?? '');
  return template.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => {
    const e = expr.trim();
    if (e === '__value.raw' || e === '__value.text' || e === '__value' || e === '__value.numeric') {
      return raw;
    }
    const m = /^__data\.fields(?:\.([\w.]+)|\[["']([^"']+)["']\])$/.exec(e);
    if (m) {
      const name = m[1] ?? m[2];
      const f = frame.fields.find((x) => x.name === name || x.config?.displayName === name);
      return f ? String(f.values[row] ?? '') : whole;
    }
    return whole;
  });
}


export function exploreUrl(datasourceUid: string, query: Record<string, unknown>, range?: { from: string; to: string }): string {
  const pane = { datasource: datasourceUid, queries: [{ refId: 'A', ...query, datasource: { uid: datasourceUid } }], range: range ?? { from: 'now-1h', to: 'now' } };
  return urlUtil.renderUrl('/explore', { schemaVersion: 1, panes: JSON.stringify({ lens: pane }) });
}

function interpolateDeep(v: unknown, frame: DataFrame, field: Field, row: number): unknown {
  if (typeof v === 'string') {
    return interpolate(v, frame, field, row);
  }
  if (Array.isArray(v)) {
    return v.map((x) => interpolateDeep(x, frame, field, row));
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateDeep(x, frame, field, row)]));
  }
  return v;
}

export function linksForValue(frame: DataFrame, field: Field, row: number): ValueLink[] {
  if (field.getLinks) {
    try {
      return field.getLinks({ valueRowIndex: row }).map((l) => ({ title: l.title, href: l.href, target: l.target }));
    } catch {
      // fall through to the configured links
    }
  }
  return (field.config?.links ?? []).map((link: DataLink) => {
    if (link.internal) {
      const query = interpolateDeep(link.internal.query, frame, field, row) as Record<string, unknown>;
      return { title: link.title || `Open in ${link.internal.datasourceName}`, href: exploreUrl(link.internal.datasourceUid, query) };
    }
    return { title: link.title, href: interpolate(link.url, frame, field, row), target: link.targetBlank ? '_blank' : undefined };
  });
}
