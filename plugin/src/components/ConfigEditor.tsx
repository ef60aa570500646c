import React, { ChangeEvent } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { FieldSet, InlineField, InlineSwitch, Input, SecretInput } from '@grafana/ui';

import { CxmOptions, CxmSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<CxmOptions, CxmSecureJsonData>;

const LABEL_WIDTH = 20;
const INPUT_WIDTH = 40;

/** The connection (address, database, user, password, TLS) and the path of the cxm configuration. */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};

  const setJson = <K extends keyof CxmOptions>(key: K, value: CxmOptions[K]) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  const text = (key: 'address' | 'database' | 'username' | 'configPath' | 'locations' | 'regions') => (e: ChangeEvent<HTMLInputElement>) =>
    setJson(key, e.currentTarget.value);

  return (
    <>
      <FieldSet label="ClickHouse">
        <InlineField label="Address" labelWidth={LABEL_WIDTH} tooltip="host:port of the native protocol; comma separated for replicas" required>
          <Input id="cxm-address" width={INPUT_WIDTH} value={jsonData.address ?? ''} placeholder="127.0.0.1:9000" onChange={text('address')} />
        </InlineField>
        <InlineField label="Database" labelWidth={LABEL_WIDTH} tooltip="The database cxm migrate created">
          <Input id="cxm-database" width={INPUT_WIDTH} value={jsonData.database ?? ''} placeholder="cxm" onChange={text('database')} />
        </InlineField>
        <InlineField label="User" labelWidth={LABEL_WIDTH}>
          <Input id="cxm-username" width={INPUT_WIDTH} value={jsonData.username ?? ''} placeholder="default" onChange={text('username')} />
        </InlineField>
        <InlineField label="Password" labelWidth={LABEL_WIDTH} tooltip="Stored encrypted in Grafana (secureJsonData)">
          <SecretInput
            id="cxm-password"
            width={INPUT_WIDTH}
            isConfigured={Boolean(secureJsonFields?.password)}
            value={secureJsonData.password ?? ''}
            placeholder="password"
            onReset={() =>
              onOptionsChange({
                ...options,
                secureJsonFields: { ...secureJsonFields, password: false },
                secureJsonData: { ...secureJsonData, password: '' },
              })
            }
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, password: e.currentTarget.value } })
            }
          />
        </InlineField>
        <InlineField label="TLS" labelWidth={LABEL_WIDTH} tooltip="Connect to the secure native port (9440) with TLS">
          <InlineSwitch id="cxm-tls" value={jsonData.tls ?? false} onChange={(e) => setJson('tls', e.currentTarget.checked)} />
        </InlineField>
      </FieldSet>
      <FieldSet label="CXM">
        <InlineField
          label="Config file"
          labelWidth={LABEL_WIDTH}
          tooltip="Path of the cxm YAML on the Grafana host: locations (names, coordinates, regions) and KPI thresholds come from it, so panels colour exactly as the pipeline does"
        >
          <Input id="cxm-config-path" width={INPUT_WIDTH} value={jsonData.configPath ?? ''} placeholder="/etc/cxm/cxm.yaml" onChange={text('configPath')} />
        </InlineField>
        <InlineField
          label="Only locations"
          labelWidth={LABEL_WIDTH}
          tooltip="Comma-separated location ids: this data source reads only them (and the locations of the regions below); empty for all"
        >
          <Input id="cxm-locations" width={INPUT_WIDTH} value={jsonData.locations ?? ''} placeholder="all" onChange={text('locations')} />
        </InlineField>
        <InlineField label="Only regions" labelWidth={LABEL_WIDTH} tooltip="Comma-separated regions of the registry: this data source reads only their locations; empty for all">
          <Input id="cxm-regions" width={INPUT_WIDTH} value={jsonData.regions ?? ''} placeholder="all" onChange={text('regions')} />
        </InlineField>
      </FieldSet>
    </>
  );
}
