// The plugin's editors rendered on their own, as Grafana shows them, for the screenshots in src/img
// (make screenshots): Grafana's dark theme and global styles, fixed resources instead of a backend.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, DataSourceSettings, ThemeContext } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';

import { ConfigEditor } from '../../src/components/ConfigEditor';
import { QueryEditor } from '../../src/components/QueryEditor';
import type { DataSource } from '../../src/datasource';
import { FixedResources } from '../../src/testing/resources';
import { FixedTemplateSrv } from '../../src/testing/templateSrv';
import { CxmOptions, CxmQuery, CxmSecureJsonData } from '../../src/types';

setTemplateSrv(new FixedTemplateSrv({ location: ['store-001'] }));
const theme = createTheme({ colors: { mode: 'dark' } });

const settings = {
  id: 1,
  uid: 'cxm',
  orgId: 1,
  name: 'CXM',
  type: 'cxm-kpi-datasource',
  typeName: 'CXM KPI',
  access: 'proxy',
  jsonData: { address: 'clickhouse:9000', database: 'cxm', username: 'grafana', tls: false, configPath: '/etc/cxm/cxm.yaml' },
  secureJsonFields: { password: true },
} as unknown as DataSourceSettings<CxmOptions, CxmSecureJsonData>;

const queries: Record<string, CxmQuery> = {
  timeseries: { refId: 'A', queryType: 'timeseries', kpis: ['nps', 'conversion'], locations: ['$location'], group: 'location' },
  current: { refId: 'A', queryType: 'current', kpis: ['nps'], locations: [], region: 'central', window: '1h' },
};

function View({ view }: { view: string }) {
  if (view === 'config') {
    return <ConfigEditor options={settings} onOptionsChange={() => {}} />;
  }
  const res = new FixedResources();
  return (
    <QueryEditor datasource={res as unknown as DataSource} query={queries[view]} onChange={() => {}} onRunQuery={() => {}} />
  );
}

const view = new URLSearchParams(window.location.search).get('view') ?? 'config';
document.body.style.padding = '24px';
createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <View view={view} />
  </ThemeContext.Provider>
);
