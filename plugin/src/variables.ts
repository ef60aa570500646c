import { CustomVariableSupport, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { from, Observable } from 'rxjs';
import { map } from 'rxjs/operators';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import { CxmVariableQuery } from './types';

/** Template variables list locations, regions or KPIs through the backend's resources. */
export class CxmVariableSupport extends CustomVariableSupport<DataSource, CxmVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly ds: DataSource) {
    super();
  }

  query(request: DataQueryRequest<CxmVariableQuery>): Observable<DataQueryResponse> {
    const q = request.targets[0] ?? { refId: 'variable', kind: 'locations' };
    return from(this.ds.metricFindQuery(q, { scopedVars: request.scopedVars })).pipe(map((values) => ({ data: values })));
  }
}
