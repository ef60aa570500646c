import {
  AdHocVariableFilter,
  CoreApp,
  DataSourceInstanceSettings,
  MetricFindValue,
  ScopedVars,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv, TemplateSrv } from '@grafana/runtime';

import { fetchKpis, fetchLocations, fetchRegions } from './resources';
import { interpolateQuery, replaceList } from './templating';
import { CxmOptions, CxmQuery, CxmVariableQuery, DEFAULT_QUERY } from './types';
import { CxmVariableSupport } from './variables';

export class DataSource extends DataSourceWithBackend<CxmQuery, CxmOptions> {
  constructor(
    instanceSettings: DataSourceInstanceSettings<CxmOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.variables = new CxmVariableSupport(this);
  }

  getDefaultQuery(_: CoreApp): Partial<CxmQuery> {
    return DEFAULT_QUERY;
  }

  applyTemplateVariables(query: CxmQuery, scopedVars: ScopedVars, filters?: AdHocVariableFilter[]): CxmQuery {
    return interpolateQuery(this.templateSrv, query, scopedVars, filters);
  }

  filterQuery(query: CxmQuery): boolean {
    return !query.hide;
  }

  /** Template variable values, from the backend's resources. */
  async metricFindQuery(query: CxmVariableQuery, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    switch (query.kind) {
      case 'regions':
        return (await fetchRegions(this)).map((r) => ({ text: r, value: r }));
      case 'kpis':
        return (await fetchKpis(this)).map((k) => ({ text: k.title, value: k.name }));
      default: {
        // The region may be a multi-value variable: the locations of each region selected.
        const regions = replaceList(this.templateSrv, [query.region ?? ''], options?.scopedVars ?? {});
        const lists = await Promise.all((regions.length ? regions : ['']).map((r) => fetchLocations(this, r)));
        return lists.flat().map((l) => ({ text: l.name, value: l.id }));
      }
    }
  }

  /** Ad-hoc filters: the backend filters on location and region. */
  async getTagKeys(): Promise<MetricFindValue[]> {
    return [{ text: 'location' }, { text: 'region' }];
  }

  async getTagValues(options: { key: string }): Promise<MetricFindValue[]> {
    if (options.key === 'region') {
      return (await fetchRegions(this)).map((r) => ({ text: r }));
    }
    return (await fetchLocations(this)).map((l) => ({ text: l.id }));
  }
}
