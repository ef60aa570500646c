import {h} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

// exportButtons offers CSV and Excel of what a view shows, through /v1/kpis (the same figures as the
// API). params() gives kpi, location and either window (the last window up to now, one point per series)
// or from/to/step.
export function exportButtons(params, name) {
  const note = h('span', {class: 'error', role: 'alert'});
  const go = async (format) => {
    note.textContent = '';
    const p = params();
    const q = {kpi: p.kpi, location: p.location, format};
    if (p.window) {
      const ms = windowMS(p.window);
      const to = new Date(Math.floor(Date.now() / 60000) * 60000);
      q.from = new Date(to - ms).toISOString();
      q.to = to.toISOString();
    } else Object.assign(q, {from: p.from, to: p.to, step: p.step});
    try {
      await api.download(p.path || '/v1/kpis', p.path ? {...p.query, format} : q, 'cxm-' + name + '.' + format);
    } catch (e) {
      note.textContent = t('downloadFailed', {e: e.message});
    }
  };
  return h('div', {class: 'export', role: 'group', 'aria-label': t('export')},
    h('span', {}, t('export')),
    h('button', {type: 'button', 'data-format': 'csv', onclick: () => go('csv')}, t('csv')),
    h('button', {type: 'button', 'data-format': 'xlsx', onclick: () => go('xlsx')}, t('xlsx')), note);
}

// windowMS parses a kpi.windows entry: a Go duration of h/m/s parts or whole days ("7d").
export function windowMS(w) {
  const d = w.match(/^(\d+)d$/);
  if (d) return +d[1] * 86400000;
  let ms = 0;
  for (const [, n, u] of w.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)) ms += +n * {h: 3600000, m: 60000, s: 1000}[u];
  return ms;
}
