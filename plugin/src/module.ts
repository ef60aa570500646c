import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { CxmOptions, CxmQuery, CxmSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, CxmQuery, CxmOptions, CxmSecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
