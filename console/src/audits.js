// The audits view (#/audits): the standard compliance index (ИВС) of each location the token may read,
// its factors as a heat map (red where the standard slips), the network's weekly trend, and the latest
// visits with their evidence, fetched with the token and shown in place.
import {h, clear} from './dom.js';
import {lang} from './i18n.js';
import * as api from './api.js';
import {badge, icon} from './status.js';
import {state} from './main.js';
import {at, title} from './audit-i18n.js';
import './audits.css';

const fmt = (v) => (v === null || v === undefined ? '—' : new Intl.NumberFormat(lang, {maximumFractionDigits: 1}).format(v));
const name = (id) => (state.locations.find((l) => l.id === id) || {}).name || id;

export function auditsView(main, r) {
  let alive = true;
  const days = +(r.params.get('days') || 30);
  const range = h('div', {class: 'lang', role: 'group', 'aria-label': at('range')}, [7, 30, 90].map((d) =>
    h('button', {type: 'button', 'aria-pressed': String(d === days), onclick: () => { location.hash = '#/audits?days=' + d; }}, at('r' + d + 'd'))));
  const body = h('div', {id: 'audits-body'}, h('p', {class: 'loading'}, '…'));
  main.append(h('h1', {}, at('ivs'), ' · ', at('ivsLong')), h('div', {class: 'controls'}, range), body);
  const to = new Date(Date.now() + 60000), from = new Date(to - days * 86400000);
  const span = {from: from.toISOString(), to: to.toISOString()};
  Promise.all([
    api.get('/v1/audits', span), api.get('/v1/audits', {...span, by: 'factor'}),
    api.get('/v1/audits', {...span, group: 'all', step: 'week'}), api.get('/v1/audits/visits', {...span, limit: 20}),
    api.get('/v1/audits/templates'),
  ]).then(([locs, factors, trend, visits, tpls]) => {
    if (!alive) return;
    clear(body);
    if (!locs.series.length) { body.append(h('p', {}, at('none'))); return; }
    const factorTitle = {};
    for (const t of tpls.templates) for (const f of t.factors) factorTitle[t.id + '/' + f.id] = title(f.title);
    body.append(h('h2', {}, at('ivs')), h('div', {class: 'scroll'}, ivsTable(locs.series)), h('h2', {}, at('factors')), heatMap(factors.series, factorTitle),
      h('h2', {}, at('trend')), trendTable(trend.series), h('h2', {}, at('latest')), h('div', {class: 'scroll'}, visitsTable(visits.visits)));
  }).catch((e) => { if (alive) clear(body).append(h('p', {class: 'error'}, e.message)); });
  return () => { alive = false; };
}

function cell(p) {
  const tip = at('n', {n: p.n}) + (p.low !== null && p.low !== undefined ? '; ' + at('interval', {lo: fmt(p.low), hi: fmt(p.high)}) : '');
  return h('td', {class: 'heat s-' + p.status, title: tip, 'data-status': p.status}, icon(p.status), ' ', fmt(p.value));
}

function ivsTable(series) {
  return h('table', {class: 'audits', id: 'ivs-table'},
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, at('location')), h('th', {scope: 'col'}, at('ivs')), h('th', {scope: 'col'}, at('visits')), h('th', {scope: 'col'}, ''))),
    h('tbody', {}, series.map((s) => h('tr', {'data-location': s.key},
      h('th', {scope: 'row'}, h('a', {href: '#/location/' + encodeURIComponent(s.key)}, name(s.key)), ' ', h('span', {class: 'help'}, s.template)),
      h('td', {class: 'num'}, fmt(s.total.value)), h('td', {class: 'num'}, s.total.n), h('td', {}, badge(s.total.status))))));
}

function heatMap(series, factorTitle) {
  const cols = [...new Set(series.map((s) => s.template + '/' + s.item))].sort();
  const rows = [...new Set(series.map((s) => s.key))];
  const at2 = {};
  for (const s of series) at2[s.key + '|' + s.template + '/' + s.item] = s.total;
  return h('div', {class: 'scroll'}, h('table', {class: 'audits heatmap', id: 'factor-heatmap'},
    h('thead', {}, h('tr', {}, h('th', {}, ''), cols.map((c) => h('th', {scope: 'col'}, factorTitle[c] || c)))),
    h('tbody', {}, rows.map((k) => h('tr', {}, h('th', {scope: 'row'}, name(k)),
      cols.map((c) => (at2[k + '|' + c] ? cell(at2[k + '|' + c]) : h('td', {class: 'heat'}, ''))))))));
}

function trendTable(series) {
  const s = series[0];
  if (!s) return h('p', {}, at('none'));
  return h('div', {class: 'au-trend', id: 'ivs-trend'}, s.points.map((p) => {
    const fill = h('span', {class: 'au-fill s-' + p.status});
    fill.style.width = (p.value || 0) + '%'; // through the CSSOM: the CSP allows no inline style attribute
    return h('div', {class: 'au-row'},
      h('span', {class: 'au-label'}, new Intl.DateTimeFormat(lang, {dateStyle: 'medium'}).format(new Date(p.start))),
      h('span', {class: 'au-bar', 'aria-hidden': 'true'}, fill),
      h('span', {class: 'au-num'}, fmt(p.value), ' (', p.n, ')'));
  }));
}

function visitsTable(visits) {
  const tf = new Intl.DateTimeFormat(lang, {dateStyle: 'short', timeStyle: 'short'});
  return h('table', {class: 'audits', id: 'visits-table'},
    h('thead', {}, h('tr', {}, [at('time'), at('location'), at('score'), at('evidence')].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, visits.map((v) => {
      const shown = h('div', {class: 'evidence'});
      return h('tr', {'data-visit': v.id},
        h('td', {}, tf.format(new Date(v.time))),
        h('td', {}, name(v.location), v.audit.employee ? ' · ' + v.audit.employee : ''),
        h('td', {class: 'num'}, fmt(v.score), v.capped ? h('span', {class: 'crit', title: at('capped')}, ' !') : null),
        h('td', {}, (v.audit.evidence || []).map((key, i) => h('button', {type: 'button', class: 'open-evidence', onclick: () => openEvidence(key, shown)}, at('open') + ' ' + (i + 1))), shown));
    })));
}

// openEvidence fetches an attachment with the token (a plain link could not carry it) and shows it here.
async function openEvidence(key, into) {
  const r = await fetch(api.url('/v1/evidence', {key}), {headers: {Authorization: 'Bearer ' + api.token()}});
  if (!r.ok) { clear(into).append(h('span', {class: 'error'}, 'HTTP ' + r.status)); return; }
  const blob = await r.blob();
  const src = URL.createObjectURL(blob);
  const type = blob.type || '';
  const el = type.startsWith('image/') ? h('img', {src, alt: key}) : type.startsWith('audio/') ? h('audio', {src, controls: true})
    : type.startsWith('video/') ? h('video', {src, controls: true}) : h('a', {href: src, download: key.split('/').pop()}, key);
  clear(into).append(el);
}
