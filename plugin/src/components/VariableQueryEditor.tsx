import React from 'react';
import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, Input, Select } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { CxmOptions, CxmQuery, CxmVariableQuery } from '../types';

type Props = QueryEditorProps<DataSource, CxmQuery, CxmOptions, CxmVariableQuery>;

const KINDS: Array<SelectableValue<CxmVariableQuery['kind']>> = [
  { value: 'locations', label: 'Locations', description: 'value: location id, text: its name' },
  { value: 'regions', label: 'Regions' },
  { value: 'kpis', label: 'KPIs', description: 'value: KPI name, text: its title' },
];

/** Chooses what a template variable lists: locations (optionally of a region), regions or KPIs. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const kind = query.kind ?? 'locations';
  return (
    <>
      <InlineField label="List" labelWidth={14}>
        {/* eslint-disable-next-line @typescript-eslint/no-deprecated -- Combobox is not in Grafana 11's @grafana/ui */}
        <Select
          inputId="cxm-variable-kind"
          width={30}
          options={KINDS}
          value={kind}
          onChange={(v) => onChange({ ...query, kind: v.value ?? 'locations' })}
        />
      </InlineField>
      {kind === 'locations' && (
        <InlineField label="Region" labelWidth={14} tooltip="Only locations of this region; variables allowed, e.g. $region">
          <Input
            id="cxm-variable-region"
            width={30}
            value={query.region ?? ''}
            placeholder="all regions"
            onChange={(e) => onChange({ ...query, kind, region: e.currentTarget.value })}
          />
        </InlineField>
      )}
    </>
  );
}
