// Building the page from data. Text from scripts and devices is only ever set as text (text nodes,
// textContent, value): never parsed as HTML, so a log line "<script>" shows as those characters.

/** An element: h('td', {class: 'x', onclick: f}, 'text', child, ...). Strings become text nodes. */
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else if (k === 'checked') e.checked = !!v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else if (c instanceof Node) e.appendChild(c);
    else e.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of e. */
export function fill(e, ...children) {
  e.replaceChildren();
  append(e, children);
  return e;
}

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '-';
  return ms < 10 ? ms.toFixed(2) + ' ms' : ms < 10000 ? ms.toFixed(0) + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

export function fmtTime(iso) {
  if (!iso) return '-';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return '-';
  return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB';
}

/** An error object of the API as one line: file:line:column: message. */
export function errorText(err) {
  if (!err) return '';
  const where = [err.file, err.line || null, err.column || null].filter(x => x !== null && x !== undefined && x !== '').join(':');
  return (where ? where + ': ' : '') + (err.message || err.code || 'error');
}

/** Values as JSON text, for results and arguments. */
export function valueText(v) {
  try {
    return JSON.stringify(v);
  } catch (e) {
    return String(v);
  }
}
