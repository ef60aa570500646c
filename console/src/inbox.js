import './inbox.css';
import {h, clear} from './dom.js';
import {t, lang} from './i18n.js';
import * as api from './api.js';
import {state} from './main.js';
import {ti, titleOf, span} from './inbox-i18n.js';

// The managers' inbox: the cases of the token's locations (the read API scopes them like every read),
// their SLA clocks and figures, and one case's page to qualify and resolve it. Actions go to
// POST /v1/cases/{id}/actions (the ingest, same origin under `cxm run`) with the same token; they come
// back through Kafka, the processor and ClickHouse, so a page waits until the case shows them.

const f = {status: 'open', location: '', rule: '', range: '30d'};
const ranges = ['7d', '30d', '90d'];
let cfg = null; // GET /v1/cases/config, once per sign-in

async function config() {
  if (!cfg) cfg = await api.get('/v1/cases/config');
  return cfg;
}

const locName = (id) => (state.locations.find((l) => l.id === id) || {}).name || id;
const fmtTime = (s) => new Intl.DateTimeFormat(lang, {dateStyle: 'short', timeStyle: 'short'}).format(new Date(s));

function statusBadge(c) {
  const st = c.overdue ? 'overdue' : c.status;
  return h('span', {class: 'cbadge c-' + st}, ti('b_' + st));
}

// clock is the case's SLA clock: time left, time overdue, or how long it took.
function clock(c, now) {
  if (c.status === 'resolved' && c.resolved) {
    const took = new Date(c.resolved) - new Date(c.opened);
    const ok = new Date(c.resolved) <= new Date(c.due);
    return h('span', {class: 'clock ' + (ok ? 'ok' : 'late')}, ti('resolvedIn', {d: span(took)}), ' · ', ti(ok ? 'withinSLA' : 'outsideSLA'));
  }
  if (c.unanswered) return h('span', {class: 'clock late'}, ti('unanswered', {d: span(now - new Date(c.opened))}));
  const left = new Date(c.due) - now;
  return left >= 0 ? h('span', {class: 'clock ok'}, ti('dueIn', {d: span(left)})) : h('span', {class: 'clock late'}, ti('overdueBy', {d: span(-left)}));
}

function wordsLine(w) {
  if (!w) return '';
  if (w.text) return w.text;
  if (w.type === 'button' && w.scale) return ti('smiley', {v: w.value, s: w.scale});
  const parts = [];
  if (w.nps !== undefined) parts.push('NPS ' + w.nps);
  if (w.csat !== undefined) parts.push('CSAT ' + w.csat);
  if (w.kind) parts.unshift(ti('k_' + w.kind));
  return parts.join(' · ');
}

// bar is a share's bar; its width is set through the CSSOM, which the console's Content-Security-Policy
// allows where it refuses style attributes.
function bar(share) {
  const el = h('span', {});
  el.style.width = share.toFixed(1) + '%';
  return el;
}

function figure(label, value, id) {
  return h('div', {class: 'fig', 'data-fig': id}, h('span', {class: 'fig-v'}, value), h('span', {class: 'fig-l'}, label));
}

function figures(fs) {
  const g = fs.figures[0];
  const v = Object.fromEntries(g.values.map((x) => [x.kpi, x]));
  const hours = (x) => (x.valid ? ti('hours', {h: x.value.toFixed(1)}) : '—');
  const pct = (x) => (x.valid ? Math.round(x.value) + ' %' : '—');
  const bars = g.pareto.length === 0 ? h('p', {class: 'help'}, ti('noCauses')) :
    h('ol', {class: 'pareto', id: 'pareto'}, g.pareto.map((p) => h('li', {'data-cause': p.cause},
      h('span', {class: 'pc'}, causeTitle(p.cause)),
      h('span', {class: 'pbar'}, bar(p.share)),
      h('span', {class: 'pn'}, p.count + ' · ' + Math.round(p.share) + ' %'))));
  return h('section', {class: 'figs', 'aria-label': ti('cases')},
    h('div', {class: 'figrow'},
      figure(ti('figOpened'), v.cases_opened.value, 'opened'),
      figure(ti('figOpen'), v.cases_open.value, 'open'),
      figure(ti('figOverdue'), v.cases_overdue.value, 'overdue'),
      figure(ti('figInSLA'), pct(v.cases_resolved_in_sla), 'in_sla'),
      figure(ti('figFirst'), hours(v.case_first_action_hours), 'first'),
      figure(ti('figResolve'), hours(v.case_resolution_hours), 'resolve')),
    h('h2', {}, ti('pareto')), bars);
}

// causeTitle is "Staff → Politeness" for staff.politeness, from the configured tree.
function causeTitle(id) {
  if (!cfg) return id;
  const out = [];
  let nodes = cfg.causes;
  for (const part of id.split('.')) {
    const n = (nodes || []).find((x) => x.id.split('.').pop() === part);
    if (!n) return id;
    out.push(titleOf(n));
    nodes = n.children;
  }
  return out.join(' → ');
}

export function inboxView(main) {
  let alive = true, timer = null;
  const list = h('ul', {class: 'cases', id: 'cases'});
  const figs = h('div', {id: 'case-figures'});
  const err = h('p', {class: 'error', role: 'alert'});
  const sel = (id, value, options, onchange) => h('select', {id, onchange: (e) => { onchange(e.target.value); load(); }},
    options.map(([v, label]) => h('option', {value: v, selected: v === value}, label)));
  const controls = h('div', {class: 'controls'},
    h('label', {}, t('status'), sel('case-status', f.status, [['open', ti('st_open')], ['overdue', ti('st_overdue')], ['assigned', ti('st_assigned')], ['resolved', ti('st_resolved')], ['', ti('statusAll')]], (v) => { f.status = v; })),
    h('label', {}, t('location'), sel('case-location', f.location, [['', ti('allLocations')], ...state.locations.map((l) => [l.id, l.name || l.id])], (v) => { f.location = v; })),
    h('label', {}, ti('period'), sel('case-range', f.range, ranges.map((r) => [r, ti('r' + r)]), (v) => { f.range = v; })));
  main.append(h('h1', {}, ti('inbox')), controls, figs, err, list);
  config().then((c) => {
    if (!alive) return;
    const rules = [['', ti('anyRule')], ...c.rules.map((r) => [r.id, r.id])];
    controls.append(h('label', {}, ti('rule'), sel('case-rule', f.rule, rules, (v) => { f.rule = v; })));
    main.querySelector('h1').after(h('p', {class: 'help'}, ti('actor', {a: c.actor})));
  }).catch((e) => { err.textContent = t('error', {e: e.message}); });

  async function load() {
    clearTimeout(timer);
    const range = {from: 'now-' + f.range, to: 'now+1d', location: f.location};
    try {
      await config();
      const [cs, fs] = await Promise.all([
        api.get('/v1/cases', {...range, status: f.status, rule: f.rule}),
        api.get('/v1/cases/figures', range)]);
      if (!alive) return;
      err.textContent = '';
      clear(figs).append(figures(fs));
      draw(cs.cases);
    } catch (e) {
      if (alive) err.textContent = t('error', {e: e.message});
    }
    if (alive) timer = setTimeout(load, 5000); // a new case shows within seconds of its trigger
  }

  function draw(cases) {
    clear(list);
    if (cases.length === 0) list.append(h('li', {class: 'empty'}, ti('noCases')));
    const now = new Date();
    for (const c of cases) {
      list.append(h('li', {class: 'case', 'data-case': c.id},
        h('a', {href: '#/inbox/' + encodeURIComponent(c.id), 'aria-label': ti('openCase', {id: c.id})},
          h('div', {class: 'case-top'}, statusBadge(c), h('span', {class: 'case-loc'}, locName(c.location)), h('span', {class: 'case-rule'}, c.rule)),
          h('p', {class: 'case-words'}, wordsLine(c.words) || c.rule),
          h('p', {class: 'case-meta'}, ti('opened', {t: fmtTime(c.opened)}), ' · ', clock(c, now), c.assignee ? ' · ' + c.assignee : ''))));
    }
  }
  load();
  return () => { alive = false; clearTimeout(timer); };
}

// newActionID starts with the time in milliseconds, fixed width: event times are whole seconds, and two
// actions of one second are ordered by id, so this keeps them in the order the manager took them. The
// random rest keeps two tabs apart; a retry of the same action reuses its id, so it is not counted twice.
function newActionID() {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return Date.now().toString(36).padStart(10, '0') + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function caseView(main, r) {
  const id = r.arg;
  let alive = true;
  const box = h('div', {id: 'case'});
  const status = h('p', {class: 'help', role: 'status', 'aria-live': 'polite', id: 'case-status-line'});
  main.append(h('p', {}, h('a', {href: '#/inbox'}, '← ' + ti('backInbox'))), box, status);

  const fetchCase = () => api.get('/v1/cases/' + encodeURIComponent(id), {from: 'now-365d', to: 'now+1d'});

  async function load() {
    try {
      const [c] = await Promise.all([fetchCase(), config()]);
      if (alive) draw(c.case, c.history);
    } catch (e) {
      if (!alive) return;
      clear(box).append(h('p', {class: 'error', role: 'alert'}, e.status === 404 ? ti('noCase') : t('error', {e: e.message})));
    }
  }

  // act posts one action and waits (up to 30 s) until the case's history holds it.
  async function act(c, body, errEl) {
    errEl.textContent = '';
    status.textContent = ti('sending');
    const actionID = newActionID();
    try {
      const res = await fetch('/v1/cases/' + encodeURIComponent(c.id) + '/actions', {method: 'POST',
        headers: {Authorization: 'Bearer ' + api.token(), 'Content-Type': 'application/json'},
        body: JSON.stringify({action_id: actionID, location: c.location, source: c.source, ...body})});
      const out = await res.json().catch(() => ({}));
      if (!res.ok) {
        status.textContent = '';
        errEl.textContent = out.errors ? out.errors.map((e) => ti('actionError', {f: e.field, r: e.reason})).join('; ') : (out.error || ('HTTP ' + res.status));
        return;
      }
      status.textContent = ti('waiting');
      const want = c.id + ':' + actionID;
      for (let i = 0; i < 60 && alive; i++) {
        await new Promise((ok) => setTimeout(ok, 500));
        const got = await fetchCase();
        // The state and the history are two reads: they agree once the state counts every action listed.
        if (got.history.some((a) => a.id === want) && got.case.actions === got.history.length) {
          status.textContent = ti('saved');
          if (alive) draw(got.case, got.history);
          return;
        }
      }
    } catch (e) {
      status.textContent = '';
      errEl.textContent = t('error', {e: e.message});
    }
  }

  function draw(c, history) {
    const now = new Date();
    const w = c.words || {};
    const items = (cfg.checklists[c.source] || []);
    const chosen = new Set(c.causes);
    const answers = {...c.checklist};
    const err = h('p', {class: 'error', role: 'alert', id: 'case-error'});

    const words = h('section', {class: 'card', 'aria-labelledby': 'words-h'}, h('h2', {id: 'words-h'}, ti('words')),
      w.text ? h('blockquote', {id: 'case-text'}, w.text) : h('p', {class: 'help'}, wordsLine(w) || ti('noWords')),
      w.kind ? h('p', {}, ti('k_' + w.kind)) : null,
      w.contact ? h('p', {}, ti('contact') + ': ', h('span', {id: 'case-contact'}, w.contact)) : null,
      w.voice ? h('p', {}, ti('voice') + ': ', h('code', {}, w.voice)) : null);

    const assignee = h('input', {id: 'assignee', type: 'text', value: c.assignee || '', placeholder: ti('assignTo'), autocomplete: 'off'});
    const note = h('textarea', {id: 'note', rows: 3, maxlength: 4000});
    const work = h('section', {class: 'card'},
      h('label', {for: 'assignee'}, ti('assignee')),
      h('div', {class: 'inline'}, assignee, h('button', {type: 'button', id: 'do-assign', onclick: () => act(c, {action: 'assign', assignee: assignee.value.trim()}, err)}, ti('assign'))),
      h('label', {for: 'note'}, ti('comment')), note,
      h('button', {type: 'button', id: 'do-comment', onclick: () => act(c, {action: 'comment', note: note.value.trim()}, err)}, ti('addComment')));

    const checklist = h('fieldset', {class: 'card checklist', id: 'checklist'}, h('legend', {}, ti('checklist')),
      items.map((it) => h('div', {class: 'check', 'data-item': it.id}, h('span', {class: 'check-q'}, titleOf(it)),
        h('span', {class: 'yn', role: 'radiogroup', 'aria-label': titleOf(it)}, [true, false].map((v) =>
          h('label', {}, h('input', {type: 'radio', name: 'cl-' + it.id, id: 'cl-' + it.id + '-' + (v ? 'yes' : 'no'), value: String(v),
            checked: answers[it.id] === v, onchange: () => { answers[it.id] = v; }}), ti(v ? 'yes' : 'no')))))));

    const tree = (nodes) => h('ul', {class: 'tree'}, nodes.map((n) => n.children && n.children.length
      ? h('li', {}, h('span', {class: 'tree-branch'}, titleOf(n)), tree(n.children))
      : h('li', {}, h('label', {}, h('input', {type: 'checkbox', id: 'cause-' + n.id.replace('.', '-'), value: n.id, checked: chosen.has(n.id),
        onchange: (e) => { if (e.target.checked) chosen.add(n.id); else chosen.delete(n.id); }}), ' ', titleOf(n)))));
    const causes = h('fieldset', {class: 'card causes', id: 'causes'}, h('legend', {}, ti('causes')), h('p', {class: 'help'}, ti('causesHelp')), tree(cfg.causes));

    const qualBody = () => {
      const b = {checklist: Object.keys(answers).length ? answers : undefined, causes: chosen.size ? [...chosen] : undefined};
      return b;
    };
    const buttons = h('div', {class: 'inline actions'},
      c.status === 'resolved'
        ? h('button', {type: 'button', id: 'do-reopen', onclick: () => act(c, {action: 'reopen'}, err)}, ti('reopen'))
        : [h('button', {type: 'button', id: 'do-qualify', onclick: () => act(c, {action: 'qualify', ...qualBody()}, err)}, ti('saveQual')),
          h('button', {type: 'button', id: 'do-resolve', class: 'primary', onclick: () => act(c, {action: 'resolve', ...qualBody()}, err)}, ti('resolve'))]);

    const hist = h('section', {class: 'card'}, h('h2', {}, ti('history')), h('ol', {class: 'history', id: 'history'}, history.map((a) =>
      h('li', {'data-action': a.action}, h('time', {datetime: a.time}, fmtTime(a.time)), ' ',
        ti('a_' + a.action, {r: c.rule, a: a.assignee}), a.actor ? ' · ' + ti('by', {a: a.actor}) : '',
        a.note ? h('div', {class: 'note'}, a.note) : null,
        a.causes && a.causes.length ? h('div', {class: 'note'}, a.causes.map(causeTitle).join(', ')) : null))));

    clear(box).append(
      h('h1', {}, statusBadge(c), ' ', locName(c.location)),
      h('p', {class: 'case-meta'}, c.rule, ' · ', ti('opened', {t: fmtTime(c.opened)}), ' · ', clock(c, now)),
      h('div', {class: 'case-grid'}, h('div', {}, words, work, hist), h('div', {}, checklist, causes, err, buttons)));
  }
  load();
  return () => { alive = false; };
}
