// Per-script charts over time: every run's duration, CPU, allocations, instructions and denials, and runs and
// failures per minute, charted with uPlot. The history starts from each script's kept runs (their traces, kept
// across restarts) and grows with the live run events while the page is open.
import * as api from './api.js';
import {h, fill, fmtBytes} from './dom.js';
import {listen} from './app.js';

const POLL_MS = 5000;
const POINTS_PER_SCRIPT = 500;
const MAX_SCRIPTS = 12;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22', '#393b79', '#637939'];
const METRICS = [
  {key: 'runs', title: 'Runs per minute', perMinute: true},
  {key: 'failures', title: 'Failures per minute', perMinute: true},
  {key: 'duration', title: 'Duration per run (ms)'},
  {key: 'cpu', title: 'CPU per run (ms)'},
  {key: 'alloc', title: 'Allocated per run', bytes: true},
  {key: 'instructions', title: 'Lua instructions per run'},
  {key: 'denials', title: 'Permission denials per run'}
];

function point(t, r) {
  return {t, duration: r.durationMs || 0, cpu: r.cpuTimeMs || 0, alloc: r.allocatedBytes || 0,
    instructions: r.instructions || 0, denials: r.permissionDenials || 0, failed: r.status !== 'COMPLETED' ? 1 : 0, id: r.executionId};
}

/** Series of one metric for the scripts, aligned on one time axis (uPlot.join fills the gaps with null). */
function seriesData(runs, names, m) {
  const tables = names.map(n => {
    const pts = runs.get(n) || [];
    if (!m.perMinute) return [pts.map(p => p.t), pts.map(p => p[m.key])];
    const perMinute = new Map();
    for (const p of pts) {
      const minute = Math.floor(p.t / 60) * 60;
      perMinute.set(minute, (perMinute.get(minute) || 0) + (m.key === 'runs' ? 1 : p.failed));
    }
    const xs = [...perMinute.keys()].sort((a, b) => a - b);
    return [xs, xs.map(x => perMinute.get(x))];
  });
  if (!tables.length) return [[]];
  return tables.length === 1 ? tables[0] : uPlot.join(tables);
}

export async function dashboardView(root) {
  const summary = h('p', {id: 'resources-summary'});
  const charts = h('div', {id: 'charts', class: 'charts'});
  fill(root, h('section', {class: 'card'}, h('h1', {}, 'Dashboard'), summary,
    h('p', {class: 'muted'}, 'Each script\'s kept runs and the runs since this page opened.')), charts);
  const runs = new Map();
  const seen = new Set();
  let plots = [];
  let names = '';
  let pending = null;

  function add(name, p) {
    if (p.id && seen.has(p.id)) return;
    if (p.id) seen.add(p.id);
    const pts = runs.get(name) || [];
    pts.push(p);
    pts.sort((a, b) => a.t - b.t);
    if (pts.length > POINTS_PER_SCRIPT) pts.shift();
    runs.set(name, pts);
  }

  function draw() {
    const scriptNames = [...runs.keys()].sort().slice(0, MAX_SCRIPTS);
    const width = Math.max(320, Math.min(620, charts.clientWidth / 2 - 40));
    if (scriptNames.join('\n') !== names) {
      for (const p of plots) p.plot.destroy();
      fill(charts);
      names = scriptNames.join('\n');
      plots = METRICS.map(m => {
        const host = h('div', {class: 'chart card', 'data-metric': m.key});
        charts.appendChild(host);
        const opts = {
          title: m.title, width, height: 200,
          scales: {x: {time: true, auto: false}},
          series: [{}].concat(scriptNames.map((n, i) => ({label: n, stroke: COLORS[i % COLORS.length], width: 1.5,
            spanGaps: true, points: {show: true, size: 5}}))),
          axes: [{}, {size: 70, values: m.bytes ? (u, vals) => vals.map(v => fmtBytes(v)) : undefined}]
        };
        return {metric: m, plot: new uPlot(opts, seriesData(runs, scriptNames, m), host)};
      });
    } else {
      for (const p of plots) p.plot.setData(seriesData(runs, scriptNames, p.metric));
    }
    // at least the last quarter of an hour up to now: a few points must not stretch the time axis over years
    const now = Date.now() / 1000;
    let first = now;
    for (const pts of runs.values()) if (pts.length) first = Math.min(first, pts[0].t);
    for (const p of plots) p.plot.setScale('x', {min: Math.min(first, now - 900) - 10, max: now + 10});
  }

  async function poll() {
    try {
      const res = await api.get('/resources');
      summary.textContent = 'CPU ' + (res.processCpuLoad < 0 ? 'unknown' : Math.round(res.processCpuLoad * 100) + '%')
        + ', heap ' + fmtBytes(res.heapUsedBytes) + ' of ' + fmtBytes(res.heapMaxBytes)
        + ', ' + res.activeExecutions + ' running, ' + res.queuedExecutions + ' queued, ' + res.liveThreads + ' threads'
        + (res.overloaded ? ' \u2014 OVERLOADED' : '');
    } catch (err) {
      summary.textContent = err.message;
    }
  }

  // the kept runs of each script; read again every poll, so that runs reach the charts even from a REST API
  // that does not stream run events (each run is counted once, by its execution id)
  async function keptRuns() {
    const {scripts} = await api.get('/scripts');
    await Promise.all(scripts.slice(0, MAX_SCRIPTS).map(async s => {
      try {
        for (const r of (await api.get('/scripts/' + api.enc(s.name) + '/runs')).runs) {
          add(s.name, point(Date.parse(r.startedAt) / 1000, r));
        }
      } catch (err) {
        // a script without kept runs has no history yet
      }
      if (!runs.has(s.name)) runs.set(s.name, []);
    }));
  }

  await keptRuns();
  await poll();
  draw();
  const stop = listen((type, d) => {
    if (type !== 'run') return;
    add(d.script, point(d.startedAt ? Date.parse(d.startedAt) / 1000 : Date.now() / 1000, d));
    if (!pending) {
      pending = setTimeout(() => {
        pending = null;
        draw();
      }, 1000);
    }
  });
  const timer = setInterval(async () => {
    await poll();
    try {
      await keptRuns();
      draw();
    } catch (err) {
      // the summary line shows what is wrong
    }
  }, POLL_MS);
  return () => {
    stop();
    clearInterval(timer);
    if (pending) clearTimeout(pending);
    for (const p of plots) p.plot.destroy();
  };
}
