import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { LensDataSource } from './datasource';
import { type LensQuery } from '../shared/queryModel';
import { type LensJsonData, type LensSecureJsonData } from '../shared/settings';

export const plugin = new DataSourcePlugin<LensDataSource, LensQuery, LensJsonData, LensSecureJsonData>(LensDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
