import 'leaflet/dist/leaflet.css';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import {h, clear} from './dom.js';
import {t, lang, setLang} from './i18n.js';
import * as api from './api.js';
import {board} from './board.js';
import {mapView} from './map.js';
import {locationView} from './location.js';
import {maturityList, maturityReport} from './maturity.js';
import {inboxView, caseView} from './inbox.js';
import {ti} from './inbox-i18n.js';
import {auditForm} from './auditform.js';
import {auditsView} from './audits.js';
import {at} from './audit-i18n.js';

// state is what every view shows: the registry entries and statuses the token may read, refreshed by
// polling /v1/locations and /v1/status every meta.refresh_ms. Polling, not server-sent events: statuses
// change once per kpi.evaluate_interval, and an EventSource cannot send the Authorization header.
export const state = {meta: null, locations: [], statuses: [], updated: null, error: null, subs: new Set()};

export function subscribe(fn) {
  state.subs.add(fn);
  return () => state.subs.delete(fn);
}

let timer = null, lastSig = '', changed = false;
async function refresh() {
  clearTimeout(timer);
  try {
    const [l, s] = await Promise.all([api.get('/v1/locations'), api.get('/v1/status')]);
    // Views redraw only when something changed: most polls find the same evaluation.
    const sig = JSON.stringify([l.locations, s.statuses]);
    changed = sig !== lastSig;
    lastSig = sig;
    state.locations = l.locations;
    state.statuses = s.statuses;
    state.updated = new Date();
    state.error = null;
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return;
    state.error = e.message;
  }
  showUpdated();
  if (changed) for (const fn of state.subs) fn();
  timer = setTimeout(refresh, state.meta.refresh_ms);
}

export const refreshNow = refresh;

let app, main, updatedEl, current = null;

let scriptError = null; // a script error stays in view: the next poll must not hide it

function showUpdated() {
  if (!updatedEl) return;
  if (scriptError) {
    updatedEl.textContent = t('scriptError', {e: scriptError});
    updatedEl.classList.add('warn');
    return;
  }
  const time = state.updated ? new Intl.DateTimeFormat(lang, {timeStyle: 'medium'}).format(state.updated) : '—';
  updatedEl.textContent = state.error ? t('stale', {e: state.error, t: time}) : t('updated', {t: time, s: Math.round(state.meta.refresh_ms / 1000)});
  updatedEl.classList.toggle('warn', !!state.error);
}

function route() {
  const raw = location.hash.replace(/^#/, '');
  const [path, query] = raw.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {name: parts[0] || 'board', arg: parts[1], params};
}

function langSwitch() {
  return h('div', {class: 'lang', role: 'group', 'aria-label': t('language')},
    ['ru', 'en'].map((l) => h('button', {type: 'button', lang: l, 'aria-pressed': String(lang === l), onclick: () => { setLang(l); render(); }}, l.toUpperCase())));
}

function shell(r) {
  clear(app);
  const nav = [['board', t('board')], ['map', t('map')], ['maturity', t('maturity')], ['inbox', ti('inbox')], ['audits', at('audits')]];
  const skip = h('a', {class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); }}, t('skip'));
  updatedEl = h('p', {class: 'updated', role: 'status', 'aria-live': 'polite'});
  main = h('main', {id: 'main', tabindex: '-1'});
  app.append(skip,
    h('header', {class: 'top'},
      h('a', {class: 'brand', href: '#/board'}, 'CXM'),
      h('nav', {'aria-label': t('title')}, h('ul', {}, nav.map(([id, label]) =>
        h('li', {}, h('a', {href: '#/' + id, 'aria-current': r.name === id ? 'page' : null}, label))))),
      h('div', {class: 'spacer'}),
      langSwitch(),
      h('button', {type: 'button', class: 'signout', onclick: signOut}, t('signout'))),
    updatedEl, main);
  showUpdated();
}

function signOut() {
  api.clearToken();
  lastSig = '';
  clearTimeout(timer);
  state.updated = null;
  location.hash = '#/board';
  render();
}

function signIn(message) {
  clear(app);
  document.title = t('title');
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'token-help token-error'});
  const err = h('p', {id: 'token-error', class: 'error', role: 'alert'}, message || '');
  const form = h('form', {class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    api.setToken(input.value.trim());
    try {
      await api.get('/v1/locations');
      render();
    } catch (x) {
      api.clearToken();
      err.textContent = x.status === 401 ? t('badToken') : t('error', {e: x.message});
      input.focus();
    }
  }},
  h('h1', {}, t('title')),
  h('label', {for: 'token'}, t('token')), input,
  h('p', {id: 'token-help', class: 'help'}, t('tokenHelp')), err,
  h('button', {type: 'submit', id: 'signin'}, t('signin')));
  app.append(h('header', {class: 'top'}, h('span', {class: 'brand'}, 'CXM'), h('div', {class: 'spacer'}), langSwitch()), h('main', {id: 'main'}, form));
  input.focus();
}

async function render() {
  document.documentElement.lang = lang;
  // The sign-in link: #token=… puts the token in sessionStorage and is removed from the address at once.
  // A fragment never reaches the server, its logs or a Referer.
  const m = location.hash.match(/^#token=([^&]+)/);
  if (m) {
    api.setToken(decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search + '#/board');
  }
  // The auditors' form signs in with its own write token, not the console's read token.
  if (route().name === 'audit') return auditForm(app, render);
  if (!api.token()) return signIn();
  const r = route();
  if (current) current();
  current = null;
  shell(r);
  if (!state.updated) {
    main.append(h('p', {class: 'loading'}, t('loading')));
    await refresh();
    if (!api.token()) return;
    clear(main);
  }
  const views = {board, map: mapView, location: locationView, maturity: r.arg ? maturityReport : maturityList, inbox: r.arg ? caseView : inboxView, audits: auditsView};
  document.title = (r.name === 'inbox' ? ti('inbox') : r.name === 'audits' ? at('audits') : t(r.name === 'location' ? 'location' : r.name in views ? r.name : 'board')) + ' · ' + t('title');
  current = (views[r.name] || board)(main, r);
}

async function start() {
  app = document.getElementById('app');
  // A script error is shown where the refresh time is, rather than leaving a silently broken page.
  const oops = (msg) => { scriptError = msg; showUpdated(); };
  window.addEventListener('error', (e) => oops(e.message));
  window.addEventListener('unhandledrejection', (e) => oops(String((e.reason && e.reason.message) || e.reason)));
  state.meta = await (await fetch('meta.json')).json();
  window.addEventListener('hashchange', () => { if (!location.hash.startsWith('#main')) render(); });
  window.addEventListener('cxm:unauthorized', () => { api.clearToken(); clearTimeout(timer); state.updated = null; signIn(t('badToken')); });
  render();
}

start();
