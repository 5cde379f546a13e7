// Devices: status, telemetry and the e-stop (with confirmation).
import * as api from './api.js';
import {h, fill, fmtMs, fmtTime, valueText} from './dom.js';
import {mayOperate, say, confirmAction} from './app.js';

function reportText(reports) {
  return reports.map(r => r.deviceId + ': ' + (r.complete ? 'stopped' : 'NOT confirmed stopped') + ' ('
    + r.results.map(x => x.target + ' ' + x.outcome + (x.message ? ' ' + x.message : '')).join(', ') + ')').join('; ');
}

export async function devicesView(root) {
  const operator = mayOperate();
  const list = h('div', {id: 'devices', class: 'cards'});
  const stopReport = h('p', {id: 'estop-report', class: 'result'});
  const all = h('button', {id: 'estop-all', type: 'button', class: 'estop', disabled: !operator, onclick: () => estop(null)}, 'E-STOP ALL');
  fill(root, h('section', {class: 'card'}, h('div', {class: 'row'}, h('h1', {}, 'Devices'), all), stopReport), list);

  async function estop(id) {
    const what = id ? 'device ' + id : 'EVERY device';
    if (!await confirmAction('Emergency stop ' + what + ' now? Motors stop and outputs go to their safe state.', 'E-stop')) {
      stopReport.textContent = 'E-stop not sent.';
      return;
    }
    stopReport.textContent = 'stopping...';
    try {
      const r = await api.post(id ? '/devices/' + api.enc(id) + '/estop' : '/estop');
      stopReport.textContent = reportText(r.reports);
      await load();
    } catch (err) {
      stopReport.textContent = '';
      say('E-stop failed: ' + err.message, true);
    }
  }

  async function telemetry(id, into) {
    try {
      const {channels} = await api.get('/devices/' + api.enc(id) + '/telemetry');
      fill(into, Object.entries(channels).map(([k, v]) => h('tr', {'data-channel': k},
        h('td', {}, k), h('td', {class: 'num'}, v.ok ? valueText(v.value) : 'FAILED'), h('td', {class: 'muted'}, v.message || ''))));
    } catch (err) {
      fill(into, h('tr', {}, h('td', {colspan: 3, class: 'error'}, err.message)));
    }
  }

  async function load() {
    const {devices} = await api.get('/devices');
    const cards = [];
    for (const d of devices) {
      let detail = null;
      try {
        detail = await api.get('/devices/' + api.enc(d.id));
      } catch (err) {
        // shown as unknown
      }
      const health = detail ? detail.health : null;
      const tele = h('tbody', {});
      const details = detail && detail.details ? Object.entries(detail.details).map(([k, v]) => h('li', {}, k + ': ' + valueText(v))) : [];
      cards.push(h('section', {class: 'card device', 'data-device': d.id},
        h('div', {class: 'row'},
          h('h2', {}, d.id),
          h('span', {class: 'status ' + (health && health.reachable ? 'completed' : 'failed'), 'data-reachable': health ? String(health.reachable) : 'unknown'},
            health ? (health.reachable ? 'reachable' : 'not reachable') : 'unknown'),
          h('button', {type: 'button', class: 'estop', 'data-estop': d.id, disabled: !operator, onclick: () => estop(d.id)}, 'E-STOP')),
        h('p', {class: 'muted'}, d.type + (d.firmwareVersion ? ', firmware ' + d.firmwareVersion : '')
          + ', motors ' + valueText(d.motors) + ', outputs ' + valueText(d.digitalOutputs)),
        health ? h('p', {class: 'muted'}, 'last good exchange ' + fmtTime(health.lastGoodExchange) + ', latency ' + fmtMs(health.latencyMs)
          + (health.lastError ? ', last error: ' + health.lastError + ' at ' + fmtTime(health.lastErrorAt) : '')) : null,
        details.length ? h('ul', {class: 'details'}, details) : null,
        h('table', {class: 'list'}, h('thead', {}, h('tr', {}, h('th', {}, 'Channel'), h('th', {}, 'Value'), h('th', {}, ''))), tele),
        h('button', {type: 'button', onclick: () => telemetry(d.id, tele)}, 'Read telemetry')));
      telemetry(d.id, tele);
    }
    fill(list, cards.length ? cards : h('p', {class: 'card'}, 'No devices.'));
  }

  await load();
  return () => {};
}
