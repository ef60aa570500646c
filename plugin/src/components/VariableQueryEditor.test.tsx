import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import type { DataSource } from '../datasource';
import { CxmVariableQuery } from '../types';
import { VariableQueryEditor } from './VariableQueryEditor';

function setup(query: CxmVariableQuery) {
  const changes: CxmVariableQuery[] = [];
  render(
    <VariableQueryEditor
      datasource={{} as DataSource}
      query={query}
      onChange={(q) => changes.push(q)}
      onRunQuery={() => {}}
    />
  );
  return changes;
}

describe('VariableQueryEditor', () => {
  it('filters locations by a region', () => {
    const changes = setup({ refId: 'v', kind: 'locations' });
    fireEvent.change(screen.getByPlaceholderText('all regions'), { target: { value: '$region' } });
    expect(changes).toEqual([{ refId: 'v', kind: 'locations', region: '$region' }]);
  });

  it('has no region for regions and KPIs', () => {
    setup({ refId: 'v', kind: 'regions' });
    expect(screen.queryByPlaceholderText('all regions')).not.toBeInTheDocument();
    expect(screen.getByText('Regions')).toBeInTheDocument();
  });

  it('switches what is listed', () => {
    const changes = setup({ refId: 'v', kind: 'locations' });
    fireEvent.keyDown(document.getElementById('cxm-variable-kind')!, { key: 'ArrowDown' });
    fireEvent.click(screen.getByText('KPIs'));
    expect(changes).toEqual([{ refId: 'v', kind: 'kpis' }]);
  });
});
