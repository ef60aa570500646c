// The read API with the signed-in token. The token lives in sessionStorage: it is sent only as an
// Authorization header that this script adds, never automatically by the browser, so no other site can
// make the browser use it (no CSRF), and it is gone when the tab closes.
const KEY = 'cxm.token';

export const token = () => sessionStorage.getItem(KEY);
export const setToken = (v) => sessionStorage.setItem(KEY, v);
export const clearToken = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, reason, param) {
    super(reason || 'HTTP ' + status);
    this.status = status;
    this.param = param;
  }
}

export function url(path, params) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x);
  }
  return u;
}

async function fetchOK(path, params, signal, init) {
  const r = await fetch(url(path, params), {headers: {Authorization: 'Bearer ' + token(), ...(init && init.headers)}, signal, cache: 'no-store', ...(init && {method: init.method, body: init.body})});
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    const e = new ApiError(r.status, body.reason, body.param);
    if (r.status === 401) window.dispatchEvent(new CustomEvent('cxm:unauthorized'));
    throw e;
  }
  return r;
}

export async function get(path, params, signal) {
  return (await fetchOK(path, params, signal)).json();
}

// blob fetches a binary (an attachment) with the token.
export async function blob(path, params, signal) {
  return (await fetchOK(path, params, signal)).blob();
}

export async function ndjson(path, params, signal) {
  const text = await (await fetchOK(path, params, signal)).text();
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

// download saves an export: fetched with the token (a plain link could not carry it), then handed to the
// browser as a file.
export async function download(path, params, filename) {
  const blob = await (await fetchOK(path, params)).blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export async function post(path, body) {
  return (await fetchOK(path, null, undefined, {method: 'POST', body: JSON.stringify(body), headers: {'Content-Type': 'application/json'}})).json();
}
