// h builds an element. Text goes in as text nodes, never as HTML, so nothing read from the API can inject
// markup (the Content-Security-Policy forbids inline script anyway).
export function h(tag, attrs, ...children) {
  const el = document.createElementNS(tag === 'svg' || tag === 'path' || tag === 'circle' || tag === 'rect' || tag === 'polygon' || tag === 'text' ? 'http://www.w3.org/2000/svg' : 'http://www.w3.org/1999/xhtml', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const clear = (el) => { while (el.firstChild) el.firstChild.remove(); return el; };

// keepFocus redraws and puts the keyboard focus back on the element that had it (the same card, widget
// or chip in the new drawing), so a live update never throws a keyboard user back to the top.
export function keepFocus(root, redraw) {
  const a = document.activeElement;
  let sel = null;
  if (a && a !== document.body && root.contains(a)) {
    const q = (k, v) => '[data-' + k + '="' + CSS.escape(v) + '"]';
    const loc = a.closest('[data-location]');
    const parts = loc && loc !== a ? [q('location', loc.dataset.location)] : [];
    if (a.id) parts.push('#' + CSS.escape(a.id));
    else if (a.dataset.kpi) parts.push(q('kpi', a.dataset.kpi));
    else if (a.dataset.status && !loc) parts.push(q('status', a.dataset.status));
    else if (a.classList.length) parts.push('.' + CSS.escape(a.classList[0]));
    sel = parts.join(' ');
  }
  redraw();
  if (sel) {
    const n = root.querySelector(sel);
    if (n) n.focus();
  }
}
