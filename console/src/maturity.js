import {h, clear} from './dom.js';
import {t, lang} from './i18n.js';
import * as api from './api.js';
import {state} from './main.js';
import {fmtTime} from './status.js';
import {canvasesToPDF} from './pdf.js';

// The CX maturity results: the list of assessments (GET /v1/assessments) and a report per assessment
// (GET /v1/assessments/{id}) with the level of every question and the mean level of every block, the
// stage's characteristics and the drivers to the next stage, as a page and as a PDF.
let model = null;
async function loadModel() {
  if (!model) model = await (await fetch('maturity.json')).json();
  return model;
}
const tx = (x) => (x ? x[lang] || x.en : '');
const ranges = {'30d': 30, '90d': 90, '365d': 365};
let range = '90d';

function locName(id) {
  const l = state.locations.find((x) => x.id === id);
  return l ? l.name : id;
}

function span() {
  const to = new Date(Math.ceil(Date.now() / 60000) * 60000);
  return {from: new Date(to - ranges[range] * 86400e3).toISOString(), to: to.toISOString()};
}

export function maturityList(main) {
  const body = h('div', {id: 'assessments'});
  const note = h('span', {class: 'error', role: 'alert'});
  const dl = async (format) => {
    note.textContent = '';
    try { await api.download('/v1/assessments', {...span(), format, limit: 100000}, 'cxm-assessments.' + format); } catch (e) { note.textContent = t('downloadFailed', {e: e.message}); }
  };
  main.append(h('h1', {}, t('maturity')),
    h('div', {class: 'controls'},
      h('label', {}, t('range'), h('select', {id: 'mrange', onchange: (e) => { range = e.target.value; load(); }},
        Object.keys(ranges).map((k) => h('option', {value: k, selected: k === range}, t('d' + k))))),
      h('div', {class: 'export', role: 'group', 'aria-label': t('export')}, h('span', {}, t('export')),
        h('button', {type: 'button', 'data-format': 'csv', onclick: () => dl('csv')}, t('csv')),
        h('button', {type: 'button', 'data-format': 'xlsx', onclick: () => dl('xlsx')}, t('xlsx')), note)),
    body);
  async function load() {
    clear(body).append(h('p', {class: 'loading'}, t('loading')));
    try {
      const [m, res] = await Promise.all([loadModel(), api.get('/v1/assessments', span())]);
      clear(body);
      if (res.assessments.length === 0) { body.append(h('p', {}, t('noAssessments'))); return; }
      body.append(h('div', {class: 'scroll'}, h('table', {id: 'assessments-table'},
        h('thead', {}, h('tr', {}, [t('time'), t('location'), t('respondent'), t('score'), t('stage')].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, res.assessments.map((a) => h('tr', {'data-id': a.id},
          h('td', {}, h('a', {href: '#/maturity/' + encodeURIComponent(a.id)}, fmtTime(a.time))),
          h('td', {}, locName(a.location)), h('td', {}, a.name || '—'),
          h('td', {class: 'num'}, t('scoreOf', {s: a.score, m: m.max_score})),
          h('td', {}, stageBadge(a.stage, tx(a.stage_name)))))))));
    } catch (e) {
      clear(body).append(h('p', {class: 'error'}, t('error', {e: e.message})));
    }
  }
  load();
  return () => {};
}

function stageBadge(stage, name) {
  return h('span', {class: 'stage stage-' + stage, 'data-stage': String(stage)}, h('strong', {}, String(stage)), ' ', name);
}

// bar is one labelled level on a 1..4 scale, drawn as level/4 so level 1 still shows; the width is set through the CSSOM (the CSP forbids style
// attributes), and the figure is also in words for screen readers and print.
function bar(label, level, detail) {
  const fill = h('span', {class: 'bar-fill'});
  fill.style.width = (level / 4 * 100) + '%';
  return h('li', {class: 'bar', 'data-level': String(level)},
    h('span', {class: 'bar-label'}, label),
    h('span', {class: 'bar-track', role: 'img', 'aria-label': t('levelOf', {l: fmtLevel(level)})}, fill),
    h('span', {class: 'bar-value'}, fmtLevel(level)),
    detail ? h('span', {class: 'bar-detail'}, detail) : null);
}

const fmtLevel = (l) => new Intl.NumberFormat(lang, {maximumFractionDigits: 1}).format(l);

export function maturityReport(main, r) {
  const id = r.arg;
  const box = h('div', {id: 'report'}, h('p', {class: 'loading'}, t('loading')));
  main.append(h('p', {}, h('a', {href: '#/maturity'}, '← ' + t('maturity'))), box);
  (async () => {
    let a, m;
    try {
      [m, a] = await Promise.all([loadModel(), api.get('/v1/assessments/' + encodeURIComponent(id))]);
    } catch (e) {
      clear(box).append(h('p', {class: 'error', role: 'alert', id: 'report-error'}, e.status === 404 ? t('noAssessment') : t('error', {e: e.message})));
      return;
    }
    const stage = m.stages[a.stage - 1];
    const next = m.stages[a.stage];
    const note = h('p', {class: 'error', role: 'alert'});
    const sendBtn = a.email && state.meta.smtp ? h('button', {type: 'button', id: 'send-copy', onclick: async () => {
      note.textContent = '';
      try {
        await api.post('/v1/assessments/' + encodeURIComponent(id) + '/email', {});
        note.textContent = t('sent', {e: a.email});
        note.className = 'ok';
      } catch (e) { note.textContent = t('error', {e: e.message}); note.className = 'error'; }
    }}, t('sendCopy')) : null;
    clear(box).append(...[
      h('h1', {}, t('reportTitle')),
      h('p', {class: 'help'}, [a.name, locName(a.location), fmtTime(a.time)].filter(Boolean).join(' · ')),
      h('div', {class: 'controls'},
        h('button', {type: 'button', id: 'pdf', onclick: () => downloadPDF(a, m)}, t('downloadPDF')), sendBtn),
      note,
      h('div', {class: 'score'}, h('span', {class: 'score-value', id: 'score'}, t('scoreOf', {s: a.score, m: m.max_score})),
        stageBadge(a.stage, tx(stage.name))),
      h('p', {}, tx(stage.summary)),
      h('h2', {}, t('perQuestion')),
      h('ol', {class: 'bars', id: 'question-bars'}, a.levels.map((l, i) => bar((i + 1) + '. ' + tx(m.questions[i].title), l, tx(m.questions[i].levels[l - 1])))),
      a.blocks && a.blocks.length ? [h('h2', {}, t('perBlock')),
        h('ul', {class: 'bars', id: 'block-bars'}, a.blocks.map((b, i) => bar(tx(b.title), b.level, tx(stage.blocks[i]))))] : null,
      next ? [h('h2', {}, t('drivers', {s: tx(next.name)})), h('ul', {}, stage.drivers.map((d) => h('li', {}, tx(d))))] : null,
    ].flat().filter(Boolean));
  })();
  return () => {};
}

// The PDF: the report drawn on A4 canvases at 150 dpi.
async function downloadPDF(a, m) {
  const W = 1240, H = 1754, M = 100;
  const pages = [];
  let c, ctx, y;
  const page = () => {
    c = document.createElement('canvas');
    c.width = W; c.height = H;
    ctx = c.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W, H);
    ctx.textBaseline = 'top';
    pages.push(c);
    y = M;
  };
  const font = (px, weight) => { ctx.font = (weight || 400) + ' ' + px + 'px system-ui, "Noto Sans", "DejaVu Sans", Arial, sans-serif'; };
  const lines = (text, width) => {
    const out = [];
    let line = '';
    for (const w of String(text).split(/\s+/)) {
      const test = line ? line + ' ' + w : w;
      if (ctx.measureText(test).width > width && line) { out.push(line); line = w; } else line = test;
    }
    if (line) out.push(line);
    return out;
  };
  const para = (text, px, weight, color, x = M, width = W - 2 * M) => {
    font(px, weight);
    ctx.fillStyle = color || '#1b1f24';
    for (const l of lines(text, width)) {
      if (y + px * 1.35 > H - M) page();
      font(px, weight); ctx.fillStyle = color || '#1b1f24';
      ctx.fillText(l, x, y);
      y += px * 1.35;
    }
  };
  const barRow = (label, level, detail) => {
    font(26, 600);
    const lab = lines(label, 430);
    font(22);
    const det = detail ? lines(detail, W - 2 * M - 470) : [];
    const height = Math.max(lab.length * 34, 40 + det.length * 29) + 18;
    if (y + height > H - M) page();
    font(26, 600); ctx.fillStyle = '#1b1f24';
    lab.forEach((l, i) => ctx.fillText(l, M, y + i * 34));
    const x0 = M + 450, bw = W - M - x0 - 80;
    ctx.fillStyle = '#e3e8ee'; ctx.fillRect(x0, y + 4, bw, 26);
    ctx.fillStyle = '#1f5fbf'; ctx.fillRect(x0, y + 4, bw * level / 4, 26);
    font(26, 700); ctx.fillStyle = '#1b1f24'; ctx.fillText(fmtLevel(level) + ' / 4', x0 + bw + 12, y + 2);
    font(22); ctx.fillStyle = '#4f5963';
    det.forEach((l, i) => ctx.fillText(l, x0, y + 40 + i * 29));
    y += height;
  };
  page();
  const stage = m.stages[a.stage - 1], next = m.stages[a.stage];
  para(t('reportTitle'), 48, 700);
  para([a.name, locName(a.location), fmtTime(a.time)].filter(Boolean).join(' · '), 26, 400, '#4f5963');
  y += 20;
  para(t('scoreOf', {s: a.score, m: m.max_score}) + ' — ' + t('stage') + ' ' + a.stage + ': ' + tx(stage.name), 40, 700, '#17324d');
  para(tx(stage.summary), 26);
  y += 24;
  para(t('perQuestion'), 34, 700);
  y += 8;
  a.levels.forEach((l, i) => barRow((i + 1) + '. ' + tx(m.questions[i].title), l, tx(m.questions[i].levels[l - 1])));
  if (a.blocks && a.blocks.length) {
    y += 16;
    para(t('perBlock'), 34, 700);
    y += 8;
    a.blocks.forEach((b, i) => barRow(tx(b.title), b.level, tx(stage.blocks[i])));
  }
  if (next) {
    y += 16;
    para(t('drivers', {s: tx(next.name)}), 34, 700);
    for (const d of stage.drivers) para('• ' + tx(d), 26);
  }
  const blob = canvasesToPDF(pages, 'CX maturity ' + a.score);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'cx-maturity-' + a.id + '.pdf';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
