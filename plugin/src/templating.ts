import { AdHocVariableFilter, ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { CxmFilter, CxmQuery } from './types';

/**
 * Replaces template variables in a list: a multi-value variable expands to several entries, and empty
 * results (an unset variable) are dropped.
 */
export function replaceList(srv: TemplateSrv, values: string[] | undefined, scoped: ScopedVars): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    for (const part of srv.replace(v, scoped, 'csv').split(',')) {
      const s = part.trim();
      if (s !== '' && !out.includes(s)) {
        out.push(s);
      }
    }
  }
  return out;
}

/** Applies dashboard variables and ad-hoc filters to a query before it goes to the backend. */
export function interpolateQuery(
  srv: TemplateSrv,
  query: CxmQuery,
  scoped: ScopedVars,
  filters: AdHocVariableFilter[] = []
): CxmQuery {
  const adhoc: CxmFilter[] = filters.map((f) => ({ key: f.key, operator: f.operator, value: srv.replace(f.value, scoped) }));
  // A multi-value region variable (or All) expands to several regions: the backend takes them as a list.
  const regions = replaceList(srv, [query.region ?? '', ...(query.regions ?? [])], scoped);
  return {
    ...query,
    kpis: replaceList(srv, query.kpis, scoped),
    locations: replaceList(srv, query.locations, scoped),
    region: regions.length === 1 ? regions[0] : '',
    regions: regions.length > 1 ? regions : [],
    window: query.window ? srv.replace(query.window, scoped) : '',
    filters: [...(query.filters ?? []), ...adhoc],
  };
}
