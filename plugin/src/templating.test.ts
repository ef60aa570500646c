import { interpolateQuery, replaceList } from './templating';
import { FixedTemplateSrv } from './testing/templateSrv';

const srv = new FixedTemplateSrv({
  location: ['store-001', 'store-002'],
  region: 'central',
  regions: ['central', 'north'],
  kpi: 'nps',
  empty: '',
});

describe('replaceList', () => {
  it.each([
    { in: ['$location'], out: ['store-001', 'store-002'] },
    { in: ['store-003', '$location', 'store-001'], out: ['store-003', 'store-001', 'store-002'] },
    { in: ['$empty'], out: [] },
    { in: undefined, out: [] },
    { in: ['${kpi}', 'csat'], out: ['nps', 'csat'] },
  ])('expands $in', ({ in: input, out }) => {
    expect(replaceList(srv, input, {})).toEqual(out);
  });

  it('prefers scoped variables (repeated panels)', () => {
    expect(replaceList(srv, ['$location'], { location: { text: 'x', value: 'store-009' } })).toEqual(['store-009']);
  });
});

describe('interpolateQuery', () => {
  it('replaces variables in every field and appends ad-hoc filters', () => {
    const q = interpolateQuery(
      srv,
      { refId: 'A', queryType: 'current', kpis: ['$kpi'], locations: ['$location'], region: '$region', window: '1h' },
      {},
      [{ key: 'region', operator: '!=', value: '$region' }]
    );
    expect(q).toEqual({
      refId: 'A',
      queryType: 'current',
      kpis: ['nps'],
      locations: ['store-001', 'store-002'],
      region: 'central',
      regions: [],
      window: '1h',
      filters: [{ key: 'region', operator: '!=', value: 'central' }],
    });
  });

  it.each([
    { region: '$regions', out: { region: '', regions: ['central', 'north'] } },
    { region: '$region', out: { region: 'central', regions: [] } },
    { region: '$empty', out: { region: '', regions: [] } },
    { region: undefined, out: { region: '', regions: [] } },
  ])('sends a multi-value region $region as a list', ({ region, out }) => {
    const q = interpolateQuery(srv, { refId: 'A', region }, {});
    expect({ region: q.region, regions: q.regions }).toEqual(out);
  });
});
