// Schedules: what runs by itself, when next; set and cancel.
import * as api from './api.js';
import {h, fill, fmtTime, fmtMs} from './dom.js';
import {mayOperate, say, confirmAction} from './app.js';

function when(spec) {
  switch (spec.kind) {
    case 'INTERVAL': return 'every ' + fmtMs(spec.intervalMs) + (spec.delayMs ? ', first after ' + fmtMs(spec.delayMs) : '');
    case 'CRON': return 'cron ' + spec.cron + (spec.zone ? ' (' + spec.zone + ')' : '');
    case 'ONCE': return 'once at ' + fmtTime(spec.at);
    default: return String(spec.kind).toLowerCase();
  }
}

export async function schedulesView(root) {
  const operator = mayOperate();
  const rows = h('tbody', {id: 'schedule-rows'});
  const script = h('select', {id: 'schedule-script'});
  const kind = h('select', {id: 'schedule-kind'}, ['INTERVAL', 'CRON', 'ONCE', 'MANUAL'].map(k => h('option', {value: k}, k.toLowerCase())));
  const value = h('input', {id: 'schedule-value', placeholder: 'interval ms, cron, or ISO time'});
  const zone = h('input', {id: 'schedule-zone', placeholder: 'zone (cron)'});
  const form = h('form', {id: 'schedule-form', class: 'inline', onsubmit: async e => {
    e.preventDefault();
    const spec = {kind: kind.value, overlap: 'SKIP', misfire: 'SKIP'};
    if (kind.value === 'INTERVAL') spec.intervalMs = Number(value.value);
    if (kind.value === 'CRON') {
      spec.cron = value.value;
      spec.zone = zone.value || null;
    }
    if (kind.value === 'ONCE') spec.at = value.value;
    try {
      await api.put('/schedules/' + api.enc(script.value), spec);
      say('Schedule of ' + script.value + ' set.');
      await load();
    } catch (err) {
      say(err.message + (err.error.column ? ' (at column ' + err.error.column + ')' : ''), true);
    }
  }}, script, kind, value, zone, h('button', {type: 'submit', disabled: !operator}, 'Set schedule'));

  fill(root, h('section', {class: 'card'}, h('h1', {}, 'Schedules'),
    h('table', {class: 'list'}, h('thead', {}, h('tr', {},
      ['Script', 'When', 'Next', 'Last', 'Fired', 'Skipped', ''].map(t => h('th', {}, t)))), rows),
    operator ? form : null));

  async function cancel(name) {
    if (!await confirmAction('Cancel the schedule of ' + name + '?', 'Cancel schedule')) return;
    try {
      await api.del('/schedules/' + api.enc(name));
      await load();
    } catch (err) {
      say(err.message, true);
    }
  }

  async function load() {
    const [{schedules}, {scripts}] = await Promise.all([api.get('/schedules'), api.get('/scripts')]);
    fill(rows, schedules.length ? schedules.map(s => h('tr', {'data-script': s.script},
      h('td', {}, h('a', {href: '#/script/' + encodeURIComponent(s.script)}, s.script)),
      h('td', {}, when(s.spec) + (s.enabled === false ? ' (paused)' : '')),
      h('td', {}, fmtTime(s.nextFire)), h('td', {}, fmtTime(s.lastFire)),
      h('td', {class: 'num'}, s.fireCount), h('td', {class: 'num'}, s.skipped),
      h('td', {}, h('button', {type: 'button', disabled: !operator, onclick: () => cancel(s.script)}, 'Cancel'))))
      : h('tr', {}, h('td', {colspan: 7}, 'Nothing is scheduled.')));
    const chosen = script.value;
    fill(script, scripts.map(s => h('option', {value: s.name}, s.name)));
    if (chosen) script.value = chosen;
  }

  await load();
  return () => {};
}
