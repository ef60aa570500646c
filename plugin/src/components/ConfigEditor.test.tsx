import React from 'react';
import { DataSourceSettings } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';

import { CxmOptions, CxmSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Options = DataSourceSettings<CxmOptions, CxmSecureJsonData>;

const base = {
  id: 1,
  uid: 'cxm',
  orgId: 1,
  name: 'CXM',
  type: 'cxm-kpi-datasource',
  typeName: 'CXM KPI',
  typeLogoUrl: '',
  access: 'proxy',
  url: '',
  user: '',
  database: '',
  basicAuth: false,
  basicAuthUser: '',
  isDefault: false,
  readOnly: false,
  withCredentials: false,
  version: 1,
  jsonData: { address: '127.0.0.1:9000', database: 'cxm', tls: false },
  secureJsonFields: {},
} as unknown as Options;

function setup(options: Options = base) {
  const changes: Options[] = [];
  render(<ConfigEditor options={options} onOptionsChange={(o) => changes.push(o)} />);
  return changes;
}

describe('ConfigEditor', () => {
  it('shows the connection settings', () => {
    setup();
    expect(screen.getByDisplayValue('127.0.0.1:9000')).toBeInTheDocument();
    expect(screen.getByDisplayValue('cxm')).toBeInTheDocument();
    expect(screen.getByPlaceholderText('/etc/cxm/cxm.yaml')).toHaveValue('');
  });

  it.each([
    { placeholder: '127.0.0.1:9000', key: 'address', value: 'ch-1:9440,ch-2:9440' },
    { placeholder: 'cxm', key: 'database', value: 'cxm_prod' },
    { placeholder: 'default', key: 'username', value: 'grafana' },
    { placeholder: '/etc/cxm/cxm.yaml', key: 'configPath', value: '/etc/cxm/prod.yaml' },
  ])('stores $key in jsonData', ({ placeholder, key, value }) => {
    const changes = setup();
    fireEvent.change(screen.getByPlaceholderText(placeholder), { target: { value } });
    expect(changes).toHaveLength(1);
    expect(changes[0].jsonData).toEqual({ ...base.jsonData, [key]: value });
    expect(changes[0].secureJsonData).toBeUndefined();
  });

  it('keeps the password in secureJsonData only', () => {
    const changes = setup();
    fireEvent.change(screen.getByPlaceholderText('password'), { target: { value: 's3cret' } });
    expect(changes[0].secureJsonData).toEqual({ password: 's3cret' });
    expect(changes[0].jsonData).toEqual(base.jsonData);
  });

  it('resets a configured password', () => {
    const changes = setup({ ...base, secureJsonFields: { password: true } });
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(changes[0].secureJsonFields).toEqual({ password: false });
    expect(changes[0].secureJsonData).toEqual({ password: '' });
  });

  it('turns TLS on', () => {
    const changes = setup();
    fireEvent.click(document.getElementById('cxm-tls')!);
    expect(changes[0].jsonData.tls).toBe(true);
  });
});
