import {h} from './dom.js';
import {t, lang, kpiTitle} from './i18n.js';

// Rank orders statuses as the API does (internal/query.StatusRank): grey lowest of the judged ones, so a
// flag shows the worst real indicator; none (a KPI without thresholds, shown but never judged) below it.
export const rank = {none: -1, grey: 0, green: 1, yellow: 2, red: 3};
export const order = ['red', 'yellow', 'green', 'grey'];

// Each status has a shape as well as a colour, so colour is never the only signal: green circle, yellow
// triangle, red octagon, grey square; a KPI without thresholds a bar.
const shapes = {
  green: () => h('circle', {cx: 8, cy: 8, r: 7}),
  yellow: () => h('polygon', {points: '8,1 15.5,14.5 0.5,14.5'}),
  red: () => h('polygon', {points: '5,1 11,1 15,5 15,11 11,15 5,15 1,11 1,5'}),
  grey: () => h('rect', {x: 1.5, y: 1.5, width: 13, height: 13}),
  none: () => h('rect', {x: 1, y: 6, width: 14, height: 4}),
};

export function icon(status, cls) {
  return h('svg', {class: 'icon s-' + status + (cls ? ' ' + cls : ''), viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false'}, shapes[status]());
}

export function badge(status) {
  return h('span', {class: 'badge s-' + status, 'data-status': status}, icon(status), h('span', {}, t('s_' + status)));
}

export function worstOf(statuses) {
  let w = 'grey';
  for (const s of statuses) if (rank[s.status] > rank[w]) w = s.status;
  return w;
}

export function fmt(meta, v) {
  if (v === null || v === undefined) return '—';
  const d = meta ? meta.decimals : 2;
  const s = new Intl.NumberFormat(lang, {minimumFractionDigits: d, maximumFractionDigits: d}).format(v);
  if (meta && meta.unit === 'percent') return s + ' %';
  return meta && meta.unit === 'h' ? s + ' ' + t('unitH') : s; // the case KPIs' times
}

export function fmtTime(iso, opts) {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return new Intl.DateTimeFormat(lang, opts || {day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit'}).format(d);
}

// widget is one indicator as a three-colour tile: value, status word and shape, n, interval, since when.
// With href it is a link (the drill-down to the location page).
export function widget(meta, st, href, onclick) {
  const status = st ? st.status : 'grey';
  const title = kpiTitle(meta);
  const lines = [];
  if (!st) {
    lines.push(h('span', {class: 'w-meta'}, t('notEvaluated')));
  } else {
    const n = new Intl.NumberFormat(lang).format(st.n);
    // Grey is explained where it shows: the sample is below the KPI's minimum.
    lines.push(status === 'grey' && st.thresholds.yellow !== null
      ? h('span', {class: 'w-meta w-grey'}, t('greyWhy', {n}))
      : h('span', {class: 'w-meta'}, t('n', {n})));
    if (st.low !== null && st.high !== null) lines.push(h('span', {class: 'w-meta'}, t('interval', {lo: fmt(meta, st.low), hi: fmt(meta, st.high)})));
    lines.push(h('span', {class: 'w-meta'}, t('since', {t: fmtTime(st.since)})));
  }
  const body = [
    h('span', {class: 'w-title'}, title),
    h('span', {class: 'w-value', 'data-value': st && st.value !== null ? String(st.value) : ''}, fmt(meta, st ? st.value : null)),
    badge(status),
    ...lines,
  ];
  const attrs = {class: 'widget s-' + status, 'data-kpi': meta.name, 'data-status': status};
  if (st && st.thresholds && st.thresholds.yellow !== null) {
    attrs.title = t('thresholds', {y: fmt(meta, st.thresholds.yellow), r: fmt(meta, st.thresholds.red), d: t(st.thresholds.direction === 'lower' ? 'lower' : 'higher')});
  }
  if (href) return h('a', {...attrs, href}, body);
  if (onclick) return h('button', {...attrs, type: 'button', onclick}, body);
  return h('div', attrs, body);
}
