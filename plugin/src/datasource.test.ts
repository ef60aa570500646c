import { DataSourceInstanceSettings, PluginType } from '@grafana/data';

import { DataSource } from './datasource';
import { FixedResources } from './testing/resources';
import { FixedTemplateSrv } from './testing/templateSrv';
import { CxmOptions } from './types';

const settings: DataSourceInstanceSettings<CxmOptions> = {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still required by the type in Grafana 12
  id: 1,
  uid: 'cxm',
  type: 'cxm-kpi-datasource',
  name: 'CXM',
  access: 'proxy',
  readOnly: false,
  jsonData: { address: '127.0.0.1:9000' },
  meta: {
    id: 'cxm-kpi-datasource',
    name: 'CXM KPI',
    type: PluginType.datasource,
    module: '',
    baseUrl: '',
    info: {
      author: { name: 'CXM' },
      description: '',
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '',
    },
  },
};

function newDataSource() {
  const ds = new DataSource(settings, new FixedTemplateSrv({ region: 'central' }));
  const res = new FixedResources();
  ds.getResource = res.getResource.bind(res) as DataSource['getResource'];
  return { ds, res };
}

describe('DataSource', () => {
  it('lists locations of a region given as a variable', async () => {
    const { ds, res } = newDataSource();
    await expect(ds.metricFindQuery({ refId: 'v', kind: 'locations', region: '$region' })).resolves.toEqual([
      { text: 'Moscow #1', value: 'store-001' },
    ]);
    expect(res.calls).toEqual([{ path: 'locations', params: { region: 'central' } }]);
  });

  it('lists the locations of every region of a multi-value region variable', async () => {
    const ds = new DataSource(settings, new FixedTemplateSrv({ region: ['central', 'northwest'] }));
    const res = new FixedResources();
    ds.getResource = res.getResource.bind(res) as DataSource['getResource'];
    await expect(ds.metricFindQuery({ refId: 'v', kind: 'locations', region: '$region' })).resolves.toEqual([
      { text: 'Moscow #1', value: 'store-001' },
      { text: 'Saint Petersburg #1', value: 'store-002' },
    ]);
    expect(res.calls.map((c) => c.params?.region)).toEqual(['central', 'northwest']);
  });

  it('lists regions and KPIs', async () => {
    const { ds } = newDataSource();
    await expect(ds.metricFindQuery({ refId: 'v', kind: 'regions' })).resolves.toEqual([
      { text: 'central', value: 'central' },
      { text: 'northwest', value: 'northwest' },
    ]);
    await expect(ds.metricFindQuery({ refId: 'v', kind: 'kpis' })).resolves.toEqual([
      { text: 'NPS', value: 'nps' },
      { text: 'Conversion', value: 'conversion' },
    ]);
  });

  it('offers location and region as ad-hoc keys, with their values', async () => {
    const { ds } = newDataSource();
    await expect(ds.getTagKeys()).resolves.toEqual([{ text: 'location' }, { text: 'region' }]);
    await expect(ds.getTagValues({ key: 'location' })).resolves.toEqual([{ text: 'store-001' }, { text: 'store-002' }]);
    await expect(ds.getTagValues({ key: 'region' })).resolves.toEqual([{ text: 'central' }, { text: 'northwest' }]);
  });

  it('applies variables and ad-hoc filters before the query reaches the backend', () => {
    const { ds } = newDataSource();
    const q = ds.applyTemplateVariables({ refId: 'A', region: '$region' }, {}, [
      { key: 'location', operator: '=', value: 'store-001' },
    ]);
    expect(q).toEqual({
      refId: 'A',
      region: 'central',
      regions: [],
      kpis: [],
      locations: [],
      window: '',
      filters: [{ key: 'location', operator: '=', value: 'store-001' }],
    });
  });

  it('skips hidden queries and defaults to the time series', () => {
    const { ds } = newDataSource();
    expect(ds.filterQuery({ refId: 'A', hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A' })).toBe(true);
    expect(ds.getDefaultQuery('dashboard' as never).queryType).toBe('timeseries');
  });
});
