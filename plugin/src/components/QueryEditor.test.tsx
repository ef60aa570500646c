import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { setTemplateSrv } from '@grafana/runtime';

import type { DataSource } from '../datasource';
import { FixedResources } from '../testing/resources';
import { FixedTemplateSrv } from '../testing/templateSrv';
import { CxmQuery } from '../types';
import { QueryEditor } from './QueryEditor';

beforeAll(() => setTemplateSrv(new FixedTemplateSrv({ location: ['store-001'] })));

function setup(query: CxmQuery) {
  const changes: CxmQuery[] = [];
  let runs = 0;
  const res = new FixedResources();
  render(
    <QueryEditor
      datasource={res as unknown as DataSource}
      query={query}
      onChange={(q) => changes.push(q)}
      onRunQuery={() => runs++}
    />
  );
  return { changes, runs: () => runs, res };
}

describe('QueryEditor', () => {
  it('loads KPIs, locations and regions from the backend', async () => {
    const { res } = setup({ refId: 'A', queryType: 'timeseries', kpis: ['nps'], locations: ['store-001', '$location'] });
    expect(await screen.findByText('NPS')).toBeInTheDocument();
    expect(screen.getByText('Moscow #1')).toBeInTheDocument();
    expect(screen.getByText('$location')).toBeInTheDocument();
    expect(res.calls.map((c) => c.path).sort()).toEqual(['kpis', 'locations', 'regions']);
  });

  it('switches the query type and runs the query', async () => {
    const { changes, runs } = setup({ refId: 'A', queryType: 'timeseries' });
    await screen.findByText('Time series');
    fireEvent.click(screen.getByText('Current'));
    expect(changes).toEqual([{ refId: 'A', queryType: 'current' }]);
    expect(runs()).toBe(1);
  });

  it('groups time series by region', async () => {
    const { changes } = setup({ refId: 'A', queryType: 'timeseries' });
    await screen.findByText('Per region');
    fireEvent.click(screen.getByText('Per region'));
    expect(changes).toEqual([{ refId: 'A', queryType: 'timeseries', group: 'region' }]);
  });

  it('shows the window for current values', async () => {
    const { changes } = setup({ refId: 'A', queryType: 'current' });
    await screen.findByText('Current');
    fireEvent.change(screen.getByPlaceholderText('shortest'), { target: { value: '1h' } });
    expect(changes).toEqual([{ refId: 'A', queryType: 'current', window: '1h' }]);
  });

  it('shows event filters, not KPIs, for events', async () => {
    const { changes } = setup({ refId: 'A', queryType: 'events' });
    await screen.findByText('Events');
    expect(screen.queryByText('KPIs')).not.toBeInTheDocument();
    fireEvent.click(document.getElementById('cxm-with-comment')!);
    fireEvent.change(screen.getByPlaceholderText('100'), { target: { value: '25' } });
    expect(changes).toEqual([
      { refId: 'A', queryType: 'events', withComment: true },
      { refId: 'A', queryType: 'events', limit: 25 },
    ]);
  });

  it('breaks down per employee, only some of them, without KPIs', async () => {
    const { changes } = setup({ refId: 'A', queryType: 'breakdown' });
    await screen.findByText('Per employee');
    expect(screen.queryByText('KPIs')).not.toBeInTheDocument();
    fireEvent.click(screen.getByText('Per employee'));
    fireEvent.change(screen.getByPlaceholderText('all'), { target: { value: 'emp-1, emp-2,' } });
    expect(changes).toEqual([
      { refId: 'A', queryType: 'breakdown', by: 'seller' },
      { refId: 'A', queryType: 'breakdown', keys: ['emp-1', 'emp-2'] },
    ]);
  });
});
