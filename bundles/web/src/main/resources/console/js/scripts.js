// The scripts with their status and problems.
import * as api from './api.js';
import {h, fill, fmtMs, fmtTime, errorText} from './dom.js';
import {listen, mayOperate} from './app.js';

function problem(s) {
  if (s.waitingFor && s.waitingFor.length) return 'waiting for ' + s.waitingFor.join(', ');
  if (s.lastError) return errorText(s.lastError);
  if (s.warnings && s.warnings.length) return s.warnings.join('; ');
  return '';
}

export async function scriptsView(root) {
  const body = h('tbody', {id: 'scripts-rows'});
  const name = h('input', {id: 'new-script-name', placeholder: 'name', pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}', required: true});
  const create = mayOperate() ? h('form', {id: 'new-script', class: 'inline', onsubmit: e => {
    e.preventDefault();
    if (name.value) location.hash = '#/script/' + encodeURIComponent(name.value) + '/new';
  }}, name, h('button', {type: 'submit'}, 'New script')) : null;
  fill(root, h('section', {class: 'card'},
    h('div', {class: 'row'}, h('h1', {}, 'Scripts'), create),
    h('table', {class: 'list'},
      h('thead', {}, h('tr', {}, ['Name', 'Version', 'Status', 'Runs', 'Failed', 'Average', 'Last run', 'Problem'].map(t => h('th', {}, t)))),
      body)));

  async function load() {
    const {scripts} = await api.get('/scripts');
    fill(body, scripts.length ? scripts.map(s => h('tr', {'data-script': s.name},
      h('td', {}, h('a', {href: '#/script/' + encodeURIComponent(s.name)}, s.name)),
      h('td', {}, s.version),
      h('td', {}, h('span', {class: 'status ' + String(s.status).toLowerCase()}, s.enabled === false ? 'DISABLED' : s.status)),
      h('td', {class: 'num'}, s.stats ? s.stats.totalExecutions : '-'),
      h('td', {class: 'num'}, s.stats ? s.stats.failedExecutions : '-'),
      h('td', {class: 'num'}, s.stats ? fmtMs(s.stats.averageDurationMs) : '-'),
      h('td', {}, s.stats ? fmtTime(s.stats.lastExecutionTime) : '-'),
      h('td', {class: 'problem'}, problem(s))))
      : h('tr', {}, h('td', {colspan: 8}, 'No scripts deployed yet.')));
  }

  await load();
  let pending = null;
  const stop = listen(type => {
    if ((type === 'script' || type === 'run') && !pending) {
      pending = setTimeout(() => {
        pending = null;
        load().catch(() => {});
      }, 500);
    }
  });
  return () => {
    stop();
    if (pending) clearTimeout(pending);
  };
}
