import React from 'react';
import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, InlineSwitch, Input, MultiSelect, RadioButtonGroup, Select } from '@grafana/ui';

import type { DataSource } from '../datasource';
import {
  BREAKDOWN_BY,
  BreakdownBy,
  CxmOptions,
  CxmQuery,
  EVENT_TYPES,
  EventType,
  QUERY_TYPES,
  QueryType,
  SERIES_GROUPS,
  SeriesGroup,
} from '../types';
import { useEditorOptions } from './useResources';

type Props = QueryEditorProps<DataSource, CxmQuery, CxmOptions>;

const LABEL_WIDTH = 14;
const eventTypeOptions = EVENT_TYPES.map((t) => ({ value: t, label: t }));
const values = <T,>(sel: Array<SelectableValue<T>>): T[] => sel.map((s) => s.value!).filter((v) => v !== undefined);

/** Query type, KPIs, locations / region (variables allowed) and the window or event filters. */
export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const opts = useEditorOptions(datasource);
  const queryType: QueryType = query.queryType ?? 'timeseries';
  const set = (patch: Partial<CxmQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const usesKpis = queryType === 'timeseries' || queryType === 'current' || queryType === 'geo';

  return (
    <>
      {opts.error && <Alert title="Could not load locations and KPIs" severity="warning">{opts.error}</Alert>}
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={LABEL_WIDTH}>
          <RadioButtonGroup<QueryType>
            options={QUERY_TYPES}
            value={queryType}
            onChange={(v) => set({ queryType: v })}
          />
        </InlineField>
      </InlineFieldRow>
      {usesKpis && (
        <InlineFieldRow>
          <InlineField label="KPIs" labelWidth={LABEL_WIDTH} tooltip="Empty: every KPI">
            {/* eslint-disable-next-line @typescript-eslint/no-deprecated -- Combobox is not in Grafana 11's @grafana/ui */}
            <MultiSelect
              inputId="cxm-kpis"
              width={60}
              placeholder="all KPIs"
              options={opts.kpis}
              value={query.kpis ?? []}
              allowCustomValue
              onChange={(sel) => set({ kpis: values(sel) })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      <InlineFieldRow>
        <InlineField label="Locations" labelWidth={LABEL_WIDTH} tooltip="Location ids or variables; empty: every location of the region">
          {/* eslint-disable-next-line @typescript-eslint/no-deprecated -- Combobox is not in Grafana 11's @grafana/ui */}
          <MultiSelect
            inputId="cxm-locations"
            width={60}
            placeholder="all locations"
            options={opts.locations}
            value={query.locations ?? []}
            allowCustomValue
            onChange={(sel) => set({ locations: values(sel) })}
          />
        </InlineField>
        <InlineField label="Region" labelWidth={LABEL_WIDTH}>
          {/* eslint-disable-next-line @typescript-eslint/no-deprecated -- Combobox is not in Grafana 11's @grafana/ui */}
          <Select
            inputId="cxm-region"
            width={24}
            isClearable
            placeholder="all regions"
            options={opts.regions}
            value={query.region || null}
            allowCustomValue
            onChange={(sel) => set({ region: sel?.value ?? '' })}
          />
        </InlineField>
      </InlineFieldRow>
      {queryType === 'timeseries' && (
        <InlineField label="Series" labelWidth={LABEL_WIDTH} tooltip="Regions and all-together series are computed from summed components, never averaged">
          <RadioButtonGroup<SeriesGroup>
            options={SERIES_GROUPS}
            value={query.group ?? 'location'}
            onChange={(v) => set({ group: v })}
          />
        </InlineField>
      )}
      {(queryType === 'current' || queryType === 'geo') && (
        <InlineField label="Window" labelWidth={LABEL_WIDTH} tooltip="The status window the pipeline evaluates, e.g. 15m, 1h, 1d; empty: each KPI's shortest">
          <Input
            id="cxm-window"
            width={24}
            placeholder="shortest"
            value={query.window ?? ''}
            onChange={(e) => onChange({ ...query, window: e.currentTarget.value })}
            onBlur={onRunQuery}
          />
        </InlineField>
      )}
      {queryType === 'breakdown' && (
        <InlineFieldRow>
          <InlineField label="Breakdown" labelWidth={LABEL_WIDTH} tooltip="Employees below the configured minimum sample are shown without figures">
            <RadioButtonGroup<BreakdownBy>
              options={BREAKDOWN_BY}
              value={query.by ?? 'subject'}
              onChange={(v) => set({ by: v })}
            />
          </InlineField>
          <InlineField label="Only" labelWidth={LABEL_WIDTH} tooltip="Subjects or employee ids (comma separated); empty: all">
            <Input
              id="cxm-keys"
              width={40}
              placeholder="all"
              value={(query.keys ?? []).join(',')}
              onChange={(e) =>
                onChange({
                  ...query,
                  keys: e.currentTarget.value
                    .split(',')
                    .map((k) => k.trim())
                    .filter((k) => k !== ''),
                })
              }
              onBlur={onRunQuery}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {queryType === 'events' && (
        <InlineFieldRow>
          <InlineField label="Event types" labelWidth={LABEL_WIDTH}>
            {/* eslint-disable-next-line @typescript-eslint/no-deprecated -- Combobox is not in Grafana 11's @grafana/ui */}
            <MultiSelect<EventType>
              inputId="cxm-event-types"
              width={40}
              placeholder="all types"
              options={eventTypeOptions}
              value={query.eventTypes ?? []}
              onChange={(sel) => set({ eventTypes: values(sel) })}
            />
          </InlineField>
          <InlineField label="With comment" labelWidth={LABEL_WIDTH}>
            <InlineSwitch id="cxm-with-comment" value={query.withComment ?? false} onChange={(e) => set({ withComment: e.currentTarget.checked })} />
          </InlineField>
          <InlineField label="Limit" labelWidth={LABEL_WIDTH}>
            <Input
              id="cxm-limit"
              type="number"
              width={12}
              placeholder="100"
              value={query.limit ?? ''}
              onChange={(e) => onChange({ ...query, limit: e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value) })}
              onBlur={onRunQuery}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </>
  );
}
