import uPlot from 'uplot';
import {h, clear, keepFocus} from './dom.js';
import {t, lang, kpiTitle, typeName} from './i18n.js';
import * as api from './api.js';
import {state, subscribe} from './main.js';
import {badge, icon, fmt, fmtTime, widget, worstOf} from './status.js';
import {statusesOf, windowSelect} from './board.js';
import {exportButtons} from './export.js';

const presets = {'6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3};
const autoSteps = {'6h': '15m', '24h': '1h', '7d': '6h', '30d': '1d'};
const steps = ['5m', '15m', '1h', '6h', '1d', '1w'];
const stepMS = {'5m': 300e3, '15m': 900e3, '1h': 3600e3, '6h': 6 * 3600e3, '1d': 86400e3, '1w': 7 * 86400e3};
// Pairs of different scales worth reading together (the seed's NPS and conversion, Smile-Index and coverage).
const partner = {nps: 'conversion', conversion: 'nps', smile_index: 'coverage', coverage: 'smile_index', csat: 'ces', ces: 'csat'};
const colors = {l: '#1f5fbf', r: '#a8400b'};
const EVENTS_HOURS = 3, EVENTS_MAX = 50, COMMENT_DAYS = 7, COMMENTS_MAX = 20;

// locationView: all indicators of one location as widgets, two KPIs of different scales on one time axis
// (left and right axes, thresholds as bands, 95 % intervals shaded, any range and step), and its latest
// events and comments. Everything is read from the API with the signed-in token.
export function locationView(main, r) {
  const id = r.arg;
  const loc = state.locations.find((l) => l.id === id);
  if (!loc) {
    // Not in the token's scope, or no such location: the API tells which.
    const msg = h('p', {class: 'error', role: 'alert', id: 'location-error'}, t('loading'));
    main.append(h('h1', {}, id), msg, h('a', {href: '#/board'}, t('back')));
    api.get('/v1/status', {location: id}).then(() => { msg.textContent = t('notFound'); },
      (e) => { msg.textContent = e.status === 403 ? t('forbidden') : e.status === 400 ? t('notFound') : t('error', {e: e.message}); });
    return () => {};
  }
  const p = r.params;
  const kmeta = (name) => state.meta.kpis.find((k) => k.name === name);
  const v = {
    left: kmeta(p.get('kpi')) ? p.get('kpi') : 'nps',
    right: null,
    range: presets[p.get('range')] ? p.get('range') : (p.get('from') ? 'custom' : '24h'),
    from: p.get('from'), to: p.get('to'), step: steps.includes(p.get('step')) ? p.get('step') : '',
    window: state.meta.windows.includes(p.get('window')) ? p.get('window') : state.meta.status_window,
  };
  v.right = p.has('kpi2') ? (kmeta(p.get('kpi2')) ? p.get('kpi2') : '') : (partner[v.left] || (v.left === 'nps' ? 'csat' : 'nps'));

  const head = h('div', {class: 'loc-head'});
  const widgets = h('div', {class: 'widgets wide', id: 'widgets'});
  const chartBox = h('div', {class: 'chart', id: 'chart'});
  const chartNote = h('p', {class: 'error', role: 'alert'});
  const legend = h('ul', {class: 'chart-legend', id: 'chart-legend'});
  const table = h('details', {class: 'table', id: 'chart-table'});
  const events = h('section', {class: 'events', 'aria-labelledby': 'events-h'});
  const comments = h('section', {class: 'events', 'aria-labelledby': 'comments-h'});
  const kpiSelect = (id, value, none) => h('select', {id},
    none ? h('option', {value: ''}, t('noneKpi')) : null,
    state.meta.kpis.map((k) => h('option', {value: k.name, selected: k.name === value}, kpiTitle(k))));
  const leftSel = kpiSelect('left', v.left, false), rightSel = kpiSelect('right', v.right, true);
  const rangeSel = h('select', {id: 'range'}, [...Object.keys(presets), 'custom'].map((k) => h('option', {value: k, selected: k === v.range}, t(k === 'custom' ? 'custom' : 'r' + k))));
  const stepSel = h('select', {id: 'step'}, h('option', {value: ''}, t('auto')), steps.map((s) => h('option', {value: s, selected: s === v.step}, s)));
  const fromIn = h('input', {id: 'from', type: 'datetime-local'}), toIn = h('input', {id: 'to', type: 'datetime-local'});

  const chartControls = h('form', {class: 'controls', onsubmit: (e) => {
    e.preventDefault();
    v.left = leftSel.value; v.right = rightSel.value; v.range = rangeSel.value; v.step = stepSel.value;
    if (v.range === 'custom') { v.from = new Date(fromIn.value).toISOString(); v.to = new Date(toIn.value).toISOString(); }
    save(); drawWidgets(); loadChart(); loadEvents();
  }},
  h('label', {}, t('left'), leftSel), h('label', {}, t('right'), rightSel), h('label', {}, t('range'), rangeSel),
  h('label', {}, t('from'), fromIn), h('label', {}, t('to'), toIn), h('label', {}, t('step'), stepSel),
  h('button', {type: 'submit', id: 'apply'}, t('apply')));
  rangeSel.addEventListener('change', () => { if (rangeSel.value !== 'custom') chartControls.requestSubmit(); });
  for (const el of [leftSel, rightSel, stepSel]) el.addEventListener('change', () => chartControls.requestSubmit());

  main.append(head,
    h('section', {'aria-labelledby': 'ind-h'},
      h('div', {class: 'row'}, h('h2', {id: 'ind-h'}, t('indicators')),
        h('label', {}, t('window'), windowSelect(v.window, (w) => { v.window = w; save(); drawWidgets(); }, 'window'))),
      widgets),
    h('section', {'aria-labelledby': 'chart-h', id: 'chart-section'},
      h('div', {class: 'row'}, h('h2', {id: 'chart-h'}, t('chart')),
        exportButtons(() => ({kpi: [v.left, v.right].filter(Boolean).join(','), location: id, ...span()}), id)),
      chartControls, h('p', {class: 'help'}, t('chartHelp')), chartNote, legend, chartBox, table),
    events, comments);

  function save() {
    const q = new URLSearchParams({kpi: v.left, kpi2: v.right, window: v.window});
    if (v.range === 'custom') { q.set('from', v.from); q.set('to', v.to); } else q.set('range', v.range);
    if (v.step) q.set('step', v.step);
    // replaceState does not fire hashchange: the view updates itself, the address stays shareable.
    history.replaceState(null, '', '#/location/' + encodeURIComponent(id) + '?' + q);
  }

  // span is the chart's range in whole minutes (the API's KPI ranges are whole minutes) and its step.
  function span() {
    let from, to;
    if (v.range === 'custom' && v.from && v.to) { from = new Date(v.from); to = new Date(v.to); } else {
      to = new Date(Math.ceil(Date.now() / 60000) * 60000);
      from = new Date(to - presets[v.range === 'custom' ? '24h' : v.range]);
    }
    from = new Date(Math.floor(from / 60000) * 60000); to = new Date(Math.floor(to / 60000) * 60000);
    let step = v.step || autoSteps[v.range];
    if (!step) step = steps.find((s) => (to - from) / stepMS[s] <= 200) || '1w';
    return {from: from.toISOString(), to: to.toISOString(), step};
  }

  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

  function drawHead() {
    const sts = statusesOf(v.window).get(id) || []; // a KPI with a window of its own (ИВС, cases) keeps it
    clear(head).append(h('p', {}, h('a', {href: '#/board'}, '← ' + t('back'))),
      h('h1', {}, icon(worstOf(sts), 'flag'), ' ', loc.name, ' ', badge(worstOf(sts))),
      h('p', {class: 'help'}, loc.region + ' · ' + loc.id + ' · ' + t('timezone') + ' ' + loc.timezone));
  }

  function drawWidgets() {
    drawHead();
    const sts = statusesOf(v.window).get(id) || []; // a KPI with a window of its own (ИВС, cases) keeps it
    clear(widgets).append(...state.meta.kpis.map((k) => {
      const w = widget(k, sts.find((s) => s.kpi === k.name), null, () => {
        // Drill-down: the widget's KPI goes on the left axis, its partner on the right.
        v.left = k.name; v.right = partner[k.name] || (k.name === 'nps' ? 'csat' : 'nps');
        leftSel.value = v.left; rightSel.value = v.right;
        save(); drawWidgets(); loadChart();
        document.getElementById('chart-section').scrollIntoView({block: 'start'});
      });
      w.setAttribute('aria-pressed', String(k.name === v.left));
      return w;
    }));
  }

  let plot = null, seq = 0;
  async function loadChart() {
    const my = ++seq;
    const sp = span();
    fromIn.value = local(new Date(sp.from)); toIn.value = local(new Date(sp.to));
    chartNote.textContent = '';
    const kpis = [v.left, v.right].filter(Boolean);
    let res;
    try {
      res = await api.get('/v1/kpis', {kpi: kpis.join(','), location: id, ...sp});
    } catch (e) {
      if (my === seq) chartNote.textContent = t('error', {e: e.message});
      return;
    }
    if (my !== seq) return;
    drawChart(res, sp);
  }

  function drawChart(res, sp) {
    const L = kmeta(v.left), R = v.right ? kmeta(v.right) : null;
    const sl = res.series.find((s) => s.kpi === v.left), sr = R && res.series.find((s) => s.kpi === v.right);
    const times = [...new Set([...(sl ? sl.points : []), ...(sr ? sr.points : [])].map((p) => p.time))].sort();
    const x = times.map((tm) => Date.parse(tm) / 1000);
    const col = (s, f) => { const m = new Map((s ? s.points : []).map((p) => [p.time, p])); return times.map((tm) => { const p = m.get(tm); return p ? p[f] : null; }); };
    const data = [x, col(sl, 'value'), col(sl, 'low'), col(sl, 'high')];
    if (R) data.push(col(sr, 'value'), col(sr, 'low'), col(sr, 'high'));
    const th = (k) => state.statuses.find((s) => s.location === id && s.kpi === k && s.window === state.meta.status_window && s.thresholds.yellow !== null)
      || state.statuses.find((s) => s.location === id && s.kpi === k && s.thresholds.yellow !== null);
    const thL = th(v.left), thR = R ? th(v.right) : null;
    const range = (meta, idx, thr) => () => {
      const vals = idx.flatMap((i) => data[i]).filter((n) => n !== null);
      if (thr) vals.push(thr.thresholds.yellow, thr.thresholds.red);
      if (!vals.length) return meta.min !== null ? [meta.min, meta.max] : [0, 1];
      let lo = Math.min(...vals), hi = Math.max(...vals);
      const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
      lo -= pad; hi += pad;
      if (meta.min !== null) { lo = Math.max(lo, meta.min); hi = Math.min(hi, meta.max); }
      return [lo, hi];
    };
    const axisVals = (meta) => (u, vals) => vals.map((n) => fmt({...meta, decimals: Math.min(meta.decimals, 1)}, n));
    const series = [{},
      {label: kpiTitle(L), scale: 'l', stroke: colors.l, width: 2, spanGaps: false, points: {size: 5}},
      {label: '', scale: 'l', stroke: 'transparent', points: {show: false}},
      {label: '', scale: 'l', stroke: 'transparent', points: {show: false}}];
    const short = Date.parse(sp.to) - Date.parse(sp.from) <= 2 * 86400e3;
    const tf = new Intl.DateTimeFormat(lang, short ? {hour: '2-digit', minute: '2-digit'} : {day: 'numeric', month: 'short'});
    const axes = [{stroke: '#333', grid: {stroke: '#e3e3e3'}, ticks: {stroke: '#ccc'}, values: (u, splits) => splits.map((v) => tf.format(new Date(v * 1000)))},
      {scale: 'l', label: shortTitle(L), stroke: colors.l, values: axisVals(L), grid: {stroke: '#e3e3e3'}, size: 60}];
    const bands = [{series: [3, 2], fill: colors.l + '2e'}];
    if (R) {
      series.push({label: kpiTitle(R), scale: 'r', stroke: colors.r, width: 2, dash: [7, 4], points: {size: 5}},
        {label: '', scale: 'r', stroke: 'transparent', points: {show: false}},
        {label: '', scale: 'r', stroke: 'transparent', points: {show: false}});
      axes.push({scale: 'r', side: 1, label: shortTitle(R), stroke: colors.r, values: axisVals(R), grid: {show: false}, size: 60});
      bands.push({series: [6, 5], fill: colors.r + '26'});
    }
    const scales = {x: {time: true}, l: {range: range(L, [1, 2, 3], thL)}};
    if (R) scales.r = {range: range(R, [4, 5, 6], thR)};
    const opts = {
      width: Math.max(280, chartBox.clientWidth || 800), height: Math.max(240, Math.min(420, Math.round((chartBox.clientWidth || 800) * 0.45))),
      scales, axes, series, bands, legend: {show: false}, cursor: {drag: {x: false, y: false}},
      hooks: {drawClear: [(u) => thresholdBands(u, thL)], draw: [(u) => thresholdLines(u, thR)]},
    };
    if (plot) plot.destroy();
    clear(chartBox);
    plot = new uPlot(opts, data, chartBox);
    chartBox.setAttribute('data-axes', String(R ? 2 : 1));
    chartBox.setAttribute('data-kpis', [v.left, v.right].filter(Boolean).join(','));
    chartBox.setAttribute('data-points', String(x.length));
    for (const k of ['from', 'to', 'step']) chartBox.setAttribute('data-' + k, sp[k]);
    clear(legend).append(
      h('li', {class: 'l'}, h('span', {class: 'swatch solid', 'aria-hidden': 'true'}), kpiTitle(L) + ' — ' + t('left')),
      ...(R ? [h('li', {class: 'r'}, h('span', {class: 'swatch dashed', 'aria-hidden': 'true'}), kpiTitle(R) + ' — ' + t('right'))] : []));
    drawTable(L, R, sl, sr, times);
  }

  function drawTable(L, R, sl, sr, times) {
    const byT = (s) => new Map((s ? s.points : []).map((p) => [p.time, p]));
    const a = byT(sl), b = byT(sr);
    const cells = (meta, p) => [h('td', {'data-kpi': meta.name, 'data-v': p && p.value !== null ? String(p.value) : ''}, fmt(meta, p ? p.value : null)), h('td', {}, p ? String(p.n) : '0'),
      h('td', {}, p && p.low !== null ? fmt(meta, p.low) + ' – ' + fmt(meta, p.high) : '—')];
    clear(table).append(h('summary', {}, t('table')), h('div', {class: 'scroll'}, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, t('time')),
        h('th', {scope: 'col'}, kpiTitle(L)), h('th', {scope: 'col'}, 'n'), h('th', {scope: 'col'}, '95 %'),
        R ? [h('th', {scope: 'col'}, kpiTitle(R)), h('th', {scope: 'col'}, 'n'), h('th', {scope: 'col'}, '95 %')] : [])),
      h('tbody', {}, times.map((tm) => h('tr', {'data-time': tm}, h('th', {scope: 'row'}, fmtTime(tm)), cells(L, a.get(tm)), R ? cells(R, b.get(tm)) : []))))));
  }

  // The latest events: all types but counters by default (a door counter reports every few seconds and
  // would fill the list), or the one type chosen.
  let evType = '';
  const typeSel = h('select', {id: 'event-type', onchange: (e) => { evType = e.target.value; loadEvents(); }},
    h('option', {value: ''}, t('allButCounters')), ['button', 'counter', 'pos', 'survey'].map((x) => h('option', {value: x}, typeName(x))));
  async function loadEvents() {
    const to = new Date(Math.ceil(Date.now() / 60000) * 60000);
    const from = new Date(to - EVENTS_HOURS * 3600e3);
    const cfrom = new Date(to - COMMENT_DAYS * 86400e3);
    clear(events).append(h('div', {class: 'row'}, h('h2', {id: 'events-h'}, t('events')),
      h('label', {class: 'inline'}, t('type'), typeSel),
      exportButtons(() => ({path: '/v1/events', query: {location: id, type: evType, ...(({from, to}) => ({from, to}))(span())}}), id + '-events')),
    h('p', {class: 'help'}, t('eventsRange', {h: EVENTS_HOURS, n: EVENTS_MAX})));
    clear(comments).append(h('h2', {id: 'comments-h'}, t('comments')));
    try {
      const [evs, surveys] = await Promise.all([
        api.ndjson('/v1/events', {location: id, type: evType || 'button,pos,survey', from: from.toISOString(), to: to.toISOString(), format: 'ndjson'}),
        api.ndjson('/v1/events', {location: id, type: 'survey', from: cfrom.toISOString(), to: to.toISOString(), format: 'ndjson'}),
      ]);
      const latest = evs.slice(-EVENTS_MAX).reverse();
      events.append(latest.length === 0 ? h('p', {}, t('noEvents', {h: EVENTS_HOURS})) : h('div', {class: 'scroll'}, h('table', {id: 'events-table'},
        h('thead', {}, h('tr', {}, [t('time'), t('type'), t('device'), t('what')].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, latest.map((e) => h('tr', {'data-id': e.id}, h('td', {}, fmtTime(e.time, {dateStyle: 'short', timeStyle: 'medium'})),
          h('td', {}, typeName(e.type)), h('td', {}, e.device), h('td', {}, describe(e))))))));
      const cs = surveys.filter((e) => e.comment).slice(-COMMENTS_MAX).reverse();
      comments.append(cs.length === 0 ? h('p', {}, t('noComments', {h: COMMENT_DAYS * 24})) : h('ul', {class: 'comments', id: 'comments'},
        cs.map((e) => h('li', {}, h('blockquote', {}, e.comment), h('p', {class: 'help'}, fmtTime(e.time) + (e.nps !== null ? ' · NPS ' + e.nps : '') + (e.csat !== null ? ' · CSAT ' + e.csat : ''))))));
    } catch (e) {
      events.append(h('p', {class: 'error'}, t('error', {e: e.message})));
    }
  }

  drawWidgets();
  loadChart();
  loadEvents();
  let width = chartBox.clientWidth;
  const onResize = () => { if (Math.abs(chartBox.clientWidth - width) > 40) { width = chartBox.clientWidth; loadChart(); } };
  window.addEventListener('resize', onResize);
  const unsub = subscribe(() => keepFocus(main, drawWidgets));
  return () => { unsub(); window.removeEventListener('resize', onResize); if (plot) plot.destroy(); };
}

// shortTitle is the KPI's title without its parenthesised explanation, to fit along an axis.
const shortTitle = (meta) => kpiTitle(meta).replace(/ \(.*\)$/, '');

function describe(e) {
  const n = (x) => new Intl.NumberFormat(lang).format(x);
  switch (e.type) {
    case 'button': return e.kind === 'smiley' ? 'smiley ' + e.value + '/' + e.scale : e.kind + (e.subject ? ' · ' + e.subject : '');
    case 'counter': return 'in ' + n(e.in) + ', out ' + n(e.out);
    case 'pos': return (e.refund ? '−' : '') + new Intl.NumberFormat(lang, {minimumFractionDigits: 2}).format(e.amount_cents / 100) + ' ' + (e.currency || '') + ' · ' + e.items + (lang === 'ru' ? ' поз.' : ' items') + (e.seller ? ' · ' + e.seller : '');
    case 'survey': return [e.nps !== null ? 'NPS ' + e.nps : '', e.csat !== null ? 'CSAT ' + e.csat : '', e.ces !== null ? 'CES ' + e.ces : '', e.comment ? '“' + e.comment + '”' : ''].filter(Boolean).join(' · ') || e.survey;
    default: return '';
  }
}

// thresholdBands paints the left KPI's zones (red, yellow, green) behind the series.
function thresholdBands(u, st) {
  if (!st) return;
  const {yellow: y, red: r, direction} = st.thresholds;
  const [lo, hi] = [u.scales.l.min, u.scales.l.max];
  const zones = direction === 'lower'
    ? [['#2e7d32', lo, y], ['#f9a825', y, r], ['#c62828', r, hi]]
    : [['#c62828', lo, r], ['#f9a825', r, y], ['#2e7d32', y, hi]];
  const {ctx, bbox} = u;
  ctx.save();
  for (const [c, a, b] of zones) {
    const top = Math.max(bbox.top, u.valToPos(Math.min(Math.max(a, b), hi), 'l', true));
    const bottom = Math.min(bbox.top + bbox.height, u.valToPos(Math.max(Math.min(a, b), lo), 'l', true));
    if (bottom <= top) continue;
    ctx.fillStyle = c + '1f';
    ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
  }
  ctx.restore();
}

// thresholdLines draws the right KPI's thresholds as dashed lines in its colour.
function thresholdLines(u, st) {
  if (!st || !u.scales.r) return;
  const {ctx, bbox} = u;
  ctx.save();
  ctx.setLineDash([3, 5]);
  ctx.lineWidth = 1.5;
  for (const [val, c] of [[st.thresholds.yellow, '#b28704'], [st.thresholds.red, '#c62828']]) {
    if (val === null || val < u.scales.r.min || val > u.scales.r.max) continue;
    const yy = u.valToPos(val, 'r', true);
    ctx.strokeStyle = c;
    ctx.beginPath(); ctx.moveTo(bbox.left, yy); ctx.lineTo(bbox.left + bbox.width, yy); ctx.stroke();
  }
  ctx.restore();
}
