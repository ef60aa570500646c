// The auditors' form (#/audit): a checklist filled on a phone in a shop. It signs in with a write token
// (not the console's read token), keeps the draft on the device as it is filled (fields in localStorage,
// photos and recordings in IndexedDB), and a submitted audit goes to an outbox on the device first: it is
// sent (attachments to POST /v1/evidence, then the event to POST /v1/events) at once when the network is
// there, else when it returns. The event id is made on the device, so sending twice counts once.
import {h, clear} from './dom.js';
import {lang, setLang} from './i18n.js';
import {at, title} from './audit-i18n.js';

const TOKEN = 'cxm.auditor.token', DRAFT = 'cxm.audit.draft';

// --- IndexedDB: "files" holds the draft's attachments, "outbox" the audits waiting to be sent.
let dbp = null;
function db() {
  dbp = dbp || new Promise((resolve, reject) => {
    const rq = indexedDB.open('cxm-audits', 1);
    rq.onupgradeneeded = () => {
      rq.result.createObjectStore('files', {keyPath: 'id'});
      rq.result.createObjectStore('outbox', {keyPath: 'id'});
    };
    rq.onsuccess = () => resolve(rq.result);
    rq.onerror = () => reject(rq.error);
  });
  return dbp;
}
async function tx(store, mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(store, mode);
    const r = fn(t.objectStore(store));
    t.oncomplete = () => resolve(r && r.result);
    t.onerror = () => reject(t.error);
  });
}
const all = (store) => tx(store, 'readonly', (s) => s.getAll());
const put = (store, v) => tx(store, 'readwrite', (s) => s.put(v));
const del = (store, id) => tx(store, 'readwrite', (s) => s.delete(id));

const token = () => localStorage.getItem(TOKEN);
const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));

async function call(path, init) {
  const r = await fetch(path, {...init, headers: {Authorization: 'Bearer ' + token(), ...(init && init.headers)}, cache: 'no-store'});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = new Error(body.reason || body.error || 'HTTP ' + r.status);
    e.status = r.status;
    throw e;
  }
  return body;
}

// flush sends the outbox in order; it stops at the first network failure (the rest waits for the next
// try) and marks an audit the server refused, which stays on the device for the auditor to see.
let flushing = null;
export function flush() {
  flushing = flushing || (async () => {
    try {
      for (const item of await all('outbox')) {
        if (item.error) continue;
        try {
          for (const f of item.files) {
            if (f.key) continue;
            const up = await call('/v1/evidence?location=' + encodeURIComponent(item.event.location), {method: 'POST', body: f.blob});
            f.key = up.key;
            await put('outbox', item);
          }
          item.event.audit.evidence = item.files.map((f) => f.key);
          const res = await call('/v1/events', {method: 'POST', body: JSON.stringify(item.event), headers: {'Content-Type': 'application/json'}});
          const r = res.results && res.results[0];
          if (r && r.status === 'rejected') {
            item.error = (r.errors || []).map((e) => (e.field ? e.field + ': ' : '') + e.reason).join('; ');
            await put('outbox', item);
            continue;
          }
          await del('outbox', item.id);
        } catch (e) {
          if (e.status && e.status < 500 && e.status !== 429 && e.status !== 401) {
            item.error = e.message;
            await put('outbox', item);
            continue;
          }
          return; // offline or a server outage: later
        }
      }
    } finally {
      flushing = null;
      window.dispatchEvent(new CustomEvent('cxm:outbox'));
    }
  })();
  return flushing;
}

window.addEventListener('online', () => flush());
setInterval(() => { if (navigator.onLine) flush(); }, 30000);

export function auditForm(app, rerender) {
  clear(app);
  document.documentElement.lang = lang;
  document.title = at('formTitle') + ' · CXM';
  const langs = h('div', {class: 'lang', role: 'group'}, ['ru', 'en'].map((l) =>
    h('button', {type: 'button', lang: l, 'aria-pressed': String(lang === l), onclick: () => { setLang(l); rerender(); }}, l.toUpperCase())));
  const main = h('main', {id: 'main', class: 'audit-form'});
  app.append(h('header', {class: 'top'}, h('span', {class: 'brand'}, 'CXM'), h('span', {}, at('formTitle')), h('div', {class: 'spacer'}), langs,
    token() ? h('button', {type: 'button', onclick: () => { localStorage.removeItem(TOKEN); rerender(); }}, at('signout')) : null), main);
  if (!token()) return signIn(main, rerender);
  load(main, rerender);
}

function signIn(main, rerender, message) {
  const input = h('input', {id: 'auditor-token', type: 'password', autocomplete: 'current-password', required: true});
  const err = h('p', {class: 'error', role: 'alert'}, message || '');
  main.append(h('form', {class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    localStorage.setItem(TOKEN, input.value.trim());
    try {
      await call('/v1/audit-form');
      rerender();
    } catch (x) {
      localStorage.removeItem(TOKEN);
      err.textContent = x.status === 401 ? at('badToken') : x.message;
    }
  }}, h('h1', {}, at('formTitle')), h('label', {for: 'auditor-token'}, at('auditorToken')), input,
  h('p', {class: 'help'}, at('auditorTokenHelp')), err, h('button', {type: 'submit', id: 'auditor-signin'}, at('signin'))));
  input.focus();
}

async function load(main, rerender) {
  let meta = null;
  try {
    meta = await call('/v1/audit-form');
    localStorage.setItem('cxm.audit.meta', JSON.stringify(meta)); // the form opens offline too
  } catch (e) {
    if (e.status === 401) { localStorage.removeItem(TOKEN); return rerender(); }
    meta = JSON.parse(localStorage.getItem('cxm.audit.meta') || 'null');
  }
  if (!meta) { main.append(h('p', {class: 'error'}, at('offline'))); return; }
  if (!meta.locations.length) { main.append(h('p', {}, at('noLocations'))); return; }
  render(main, meta, rerender);
}

function localISO(d) {
  const p = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
}
function withOffset(local) {
  const d = new Date(local);
  const off = -d.getTimezoneOffset(), p = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return local + ':00' + (off >= 0 ? '+' : '-') + p(off / 60) + ':' + p(off % 60);
}

async function render(main, meta, rerender) {
  const draft = JSON.parse(localStorage.getItem(DRAFT) || '{}');
  draft.location = meta.locations.some((l) => l.id === draft.location) ? draft.location : meta.locations[0].id;
  draft.results = draft.results || {};
  draft.comments = draft.comments || {};
  draft.time = draft.time || localISO(new Date());
  draft.role = draft.role || 'mystery_shopper';
  const save = () => { localStorage.setItem(DRAFT, JSON.stringify(draft)); saved.textContent = at('draftSaved'); };
  const saved = h('p', {class: 'help', role: 'status'});
  const status = h('div', {id: 'audit-status', role: 'status', 'aria-live': 'polite'});
  const body = h('div', {});
  const files = h('ul', {class: 'attachments', id: 'attachments'});

  const locSel = h('select', {id: 'audit-location', onchange: () => { draft.location = locSel.value; save(); drawTemplates(); }},
    meta.locations.map((l) => h('option', {value: l.id, selected: l.id === draft.location}, l.name ? l.name + ' (' + l.id + ')' : l.id)));
  const tplSel = h('select', {id: 'audit-template', onchange: () => { draft.template = tplSel.value; draft.results = {}; save(); drawChecklist(); }});
  const field = (id, label, input) => h('label', {for: id}, label, input);
  const text = (id, key, attrs) => h('input', {id, value: draft[key] || '', ...attrs, oninput: (e) => { draft[key] = e.target.value; save(); }});
  const roleSel = h('select', {id: 'audit-role', onchange: () => { draft.role = roleSel.value; save(); }},
    ['mystery_shopper', 'internal'].map((r) => h('option', {value: r, selected: r === draft.role}, at(r))));

  function drawTemplates() {
    const ids = meta.locations.find((l) => l.id === draft.location).templates;
    if (!ids.includes(draft.template)) draft.template = ids[0];
    clear(tplSel).append(...ids.map((id) => h('option', {value: id, selected: id === draft.template}, title(meta.templates.find((t) => t.id === id).title))));
    drawChecklist();
  }
  function drawChecklist() {
    const tpl = meta.templates.find((t) => t.id === draft.template);
    clear(body);
    for (const f of tpl.factors) {
      body.append(h('fieldset', {class: 'factor'}, h('legend', {}, title(f.title)),
        f.elements.map((el) => {
          const name = 'el-' + el.id;
          const opts = ['met', 'not_met'].concat(el.na_allowed ? ['na'] : []);
          return h('div', {class: 'element', 'data-element': el.id},
            h('div', {class: 'el-title', id: name + '-t'}, title(el.title), el.critical ? h('span', {class: 'crit'}, ' · ' + at('critical')) : null),
            h('div', {class: 'choices', role: 'radiogroup', 'aria-labelledby': name + '-t'}, opts.map((o) =>
              h('label', {class: 'choice c-' + o},
                h('input', {type: 'radio', name, value: o, id: name + '-' + o, checked: draft.results[el.id] === o,
                  onchange: () => { draft.results[el.id] = o; save(); }}), at(o)))),
            h('input', {class: 'el-comment', id: name + '-comment', placeholder: at('comment'), 'aria-label': at('comment') + ': ' + title(el.title),
              value: draft.comments[el.id] || '', oninput: (e) => { draft.comments[el.id] = e.target.value; save(); }}));
        })));
    }
  }
  async function drawFiles() {
    clear(files);
    for (const f of await all('files')) {
      files.append(h('li', {}, f.name + ' (' + Math.ceil(f.blob.size / 1024) + ' KB) ',
        h('button', {type: 'button', onclick: async () => { await del('files', f.id); drawFiles(); }}, at('remove'))));
    }
  }
  const addFiles = async (e) => {
    for (const file of e.target.files) {
      if (file.size > meta.max_bytes) {
        status.textContent = at('tooBig', {name: file.name, max: Math.floor(meta.max_bytes / 1048576)});
        continue;
      }
      await put('files', {id: uuid(), name: file.name, blob: file});
    }
    e.target.value = '';
    drawFiles();
  };
  const picker = (id, label, accept, capture) => h('label', {class: 'picker', for: id}, label,
    h('input', {id, type: 'file', accept, capture, multiple: !capture, class: 'sr-only', onchange: addFiles}));

  async function showOutbox() {
    const items = await all('outbox');
    clear(status);
    const waiting = items.filter((i) => !i.error).length;
    if (waiting) status.append(h('p', {class: 'notice'}, at(navigator.onLine ? 'sending' : 'offline'), ' ', at('queued', {n: waiting})));
    for (const i of items.filter((i) => i.error)) status.append(h('p', {class: 'error'}, at('rejected', {e: i.error})));
  }
  window.addEventListener('cxm:outbox', showOutbox);

  const submit = async (e) => {
    e.preventDefault();
    const tpl = meta.templates.find((t) => t.id === draft.template);
    const els = tpl.factors.flatMap((f) => f.elements);
    const left = els.filter((el) => !draft.results[el.id]);
    if (left.length) {
      status.textContent = at('unanswered', {n: left.length});
      const first = document.getElementById('el-' + left[0].id + '-met');
      if (first) first.focus();
      return;
    }
    const audit = {template: tpl.id, auditor: {role: draft.role, id: (draft.auditor || '').trim() || 'auditor'},
      elements: els.map((el) => ({element: el.id, result: draft.results[el.id], ...(draft.comments[el.id] ? {comment: draft.comments[el.id]} : {})}))};
    if ((draft.employee || '').trim()) audit.employee = draft.employee.trim();
    const item = {id: uuid(), event: {id: 'audit-' + uuid(), type: 'audit', location: draft.location, time: withOffset(draft.time), audit},
      files: (await all('files')).map((f) => ({name: f.name, blob: f.blob}))};
    await put('outbox', item);
    for (const f of await all('files')) await del('files', f.id);
    const keep = {location: draft.location, template: draft.template, auditor: draft.auditor, role: draft.role};
    localStorage.setItem(DRAFT, JSON.stringify(keep));
    await flush();
    const left2 = (await all('outbox')).filter((i) => i.id === item.id);
    clear(main).append(h('div', {class: 'done', id: 'audit-done'},
      h('p', {class: left2.length ? 'notice' : 'sent'}, left2.length ? (left2[0].error ? at('rejected', {e: left2[0].error}) : at('offline')) : at('sent')),
      h('button', {type: 'button', id: 'audit-new', onclick: () => render(clear(main), meta, rerender)}, at('newAudit'))));
  };

  main.append(h('form', {class: 'audit', onsubmit: submit, novalidate: true},
    h('h1', {}, at('formTitle')),
    h('div', {class: 'meta-fields'},
      field('audit-location', at('location'), locSel), field('audit-template', at('template'), tplSel),
      field('audit-time', at('visitTime'), h('input', {id: 'audit-time', type: 'datetime-local', value: draft.time, oninput: (e) => { draft.time = e.target.value; save(); }})),
      field('audit-role', at('role'), roleSel),
      field('audit-auditor', at('auditor'), text('audit-auditor', 'auditor', {autocomplete: 'off'})),
      field('audit-employee', at('employee'), text('audit-employee', 'employee', {autocomplete: 'off'}))),
    body,
    h('fieldset', {class: 'factor'}, h('legend', {}, at('attachments')),
      h('div', {class: 'pickers'}, picker('audit-photo', at('photo'), 'image/*', 'environment'), picker('audit-audio', at('audio'), 'audio/*', 'user'),
        picker('audit-file', at('attach'), 'image/*,audio/*,video/*')), files),
    status, saved,
    h('button', {type: 'submit', id: 'audit-submit', class: 'primary'}, at('submit'))));
  drawTemplates();
  drawFiles();
  showOutbox();
  if (navigator.onLine) flush();
}
