import {h, clear, keepFocus} from './dom.js';
import {t, kpiTitle} from './i18n.js';
import {state, subscribe} from './main.js';
import {badge, fmt, icon, order, rank, widget, worstOf} from './status.js';
import {exportButtons} from './export.js';

// Filters outlive a visit to a location page.
const f = {window: null, region: '', statuses: new Set(), q: '', open: new Set()};

// byLocation groups the statuses of one window by location. A KPI judged over a window of its own (the ИВС
// over audits.status_window) keeps that window whatever the chosen one: it has no light in any other.
export function statusesOf(window) {
  const own = new Map(state.meta.kpis.filter((k) => k.status_window && k.status_window !== state.meta.status_window)
    .map((k) => [k.name, k.status_window]));
  const m = new Map();
  for (const s of state.statuses) {
    if (s.window !== (own.get(s.kpi) || window)) continue;
    if (!m.has(s.location)) m.set(s.location, []);
    m.get(s.location).push(s);
  }
  return m;
}

export function windowSelect(value, onchange, id) {
  return h('select', {id, onchange: (e) => onchange(e.target.value)},
    state.meta.windows.map((w) => h('option', {value: w, selected: w === value}, w)));
}

export function board(main) {
  f.window = f.window || state.meta.status_window;
  const regions = [...new Set(state.locations.map((l) => l.region))].sort();
  const chips = h('div', {class: 'chips', role: 'group', 'aria-label': t('status')});
  const grid = h('ul', {class: 'grid', id: 'board'});
  const count = h('p', {class: 'count'});
  const controls = h('div', {class: 'controls'},
    h('label', {}, t('window'), windowSelect(f.window, (v) => { f.window = v; draw(); }, 'window')),
    h('label', {}, t('region'), h('select', {id: 'region', onchange: (e) => { f.region = e.target.value; draw(); }},
      h('option', {value: ''}, t('all')), regions.map((r) => h('option', {value: r, selected: r === f.region}, r)))),
    h('label', {}, t('search'), h('input', {id: 'search', type: 'search', placeholder: t('searchPh'), value: f.q, oninput: (e) => { f.q = e.target.value.toLowerCase(); draw(); }})),
    exportButtons(() => ({kpi: state.meta.kpis.map((k) => k.name).join(','), location: visibleIDs(), window: f.window}), 'board'));
  const legend = h('details', {class: 'legend'}, h('summary', {}, t('legend')),
    h('p', {}, t('legendText')), h('p', {}, icon('grey'), ' ', t('greyText')));
  main.append(h('h1', {class: 'sr-only'}, t('board')), controls, chips, legend, count, grid);

  let byLoc;
  function flagOf(id) { return worstOf(byLoc.get(id) || []); }
  function visible() {
    return state.locations.filter((l) => (!f.region || l.region === f.region) &&
      (f.statuses.size === 0 || f.statuses.has(flagOf(l.id))) &&
      (!f.q || l.name.toLowerCase().includes(f.q) || l.id.toLowerCase().includes(f.q)));
  }

  // visibleIDs is empty when nothing is filtered out: the whole scope, and no long address.
  function visibleIDs() {
    const v = visible();
    return v.length === state.locations.length ? '' : v.map((l) => l.id).join(',');
  }

  function draw() {
    byLoc = statusesOf(f.window);
    const counts = {red: 0, yellow: 0, green: 0, grey: 0};
    for (const l of state.locations) if (!f.region || l.region === f.region) counts[flagOf(l.id)]++;
    clear(chips).append(...order.map((s) => h('button', {
      type: 'button', class: 'chip s-' + s, 'data-status': s, 'aria-pressed': String(f.statuses.has(s)),
      onclick: () => { f.statuses.has(s) ? f.statuses.delete(s) : f.statuses.add(s); draw(); },
    }, icon(s), h('span', {}, t('s_' + s)), h('strong', {}, String(counts[s])))));
    const list = visible().sort((a, b) => rank[flagOf(b.id)] - rank[flagOf(a.id)] || a.name.localeCompare(b.name));
    count.textContent = state.locations.length === 0 ? t('noLocations') : list.length === 0 ? t('none') : t('shown', {n: list.length, m: state.locations.length});
    clear(grid).append(...list.map(card));
  }

  function card(l) {
    const sts = byLoc.get(l.id) || [];
    const flag = worstOf(sts);
    // Why: the indicators that give the flag its colour, with their values.
    const worst = sts.filter((s) => s.status === flag && flag !== 'grey').map((s) => {
      const k = state.meta.kpis.find((m) => m.name === s.kpi) || {name: s.kpi, title: s.kpi, decimals: 2};
      return kpiTitle(k) + ' ' + fmt(k, s.value);
    });
    const open = f.open.has(l.id);
    const panelId = 'ind-' + l.id;
    const head = h('button', {type: 'button', class: 'card-head', 'aria-expanded': String(open), 'aria-controls': panelId,
      onclick: () => { open ? f.open.delete(l.id) : f.open.add(l.id); draw(); }},
    icon(flag, 'flag'),
    h('span', {class: 'name'}, l.name),
    h('span', {class: 'region'}, l.region + ' · ' + l.id),
    h('span', {class: 'state'}, badge(flag), flag === 'red' || flag === 'yellow' ? h('span', {class: 'why'}, t('worst', {k: worst.join(', ')})) : null));
    const panel = h('div', {id: panelId, class: 'widgets', hidden: !open},
      open ? [
        ...state.meta.kpis.map((k) => widget(k, sts.find((s) => s.kpi === k.name), '#/location/' + encodeURIComponent(l.id) + '?kpi=' + k.name + '&window=' + f.window)),
        h('a', {class: 'more', href: '#/location/' + encodeURIComponent(l.id)}, t('open') + ' →'),
      ] : []);
    return h('li', {class: 'card s-' + flag, 'data-location': l.id, 'data-status': flag}, head, panel);
  }

  draw();
  return subscribe(() => keepFocus(main, draw));
}
