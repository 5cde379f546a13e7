// One script: its source in the editor (Lua highlighting, inline errors at line:column on save), run with
// arguments, cancel, the live log, and the last runs' traces as a timeline.
import * as api from './api.js';
import {h, fill, fmtMs, fmtTime, fmtBytes, errorText, valueText} from './dom.js';
import {listen, mayOperate, say, confirmAction} from './app.js';

const MAX_LOG_ROWS = 500;
const NEW_SOURCE = '-- a new script\nlocal who = ... or "world"\nreturn "hello " .. who\n';

// The API's rule for script names; "." and ".." would make the browser's own path normalisation send this page's
// calls (run, save, delete) to other routes, so a link to #/script/.. must not become a script page.
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export async function scriptView(root, [name, isNew]) {
  if (!NAME.test(name || '') || name === '.' || name === '..') {
    fill(root, h('section', {class: 'card'}, h('h1', {}, 'Not a script name'),
      h('p', {id: 'not-a-name'}, String(name) + ' is not a script name: letters, digits, _ - . only.')));
    return () => {};
  }
  const q = api.enc(name);
  let data = null;
  try {
    data = await api.get('/scripts/' + q);
  } catch (err) {
    if (err.status !== 404) throw err;
  }
  let fresh = data === null;
  if (fresh && !isNew) {
    fill(root, h('section', {class: 'card'}, h('h1', {}, name), h('p', {}, 'No script named ' + name + '.')));
    return () => {};
  }
  const operator = mayOperate();

  const status = h('span', {id: 'script-status', class: 'status'});
  const meta = h('span', {id: 'script-meta', class: 'muted'});
  const cleanup = h('p', {id: 'script-cleanup', class: 'error'});
  const luaHost = h('div', {id: 'editor', class: 'editor'});
  const tomlHost = h('div', {id: 'toml-editor', class: 'editor small'});
  const problems = h('ul', {id: 'problems', class: 'problems'});
  const saveInfo = h('span', {id: 'save-info', class: 'muted'});
  const args = h('input', {id: 'run-args', value: '[]', spellcheck: 'false', title: 'arguments as a JSON array'});
  const result = h('div', {id: 'run-result', class: 'result'});
  const logRows = h('tbody', {id: 'log-rows'});
  const runsList = h('tbody', {id: 'runs-rows'});
  const timeline = h('div', {id: 'trace'});
  const enableButton = h('button', {id: 'toggle-enabled', type: 'button', disabled: !operator || fresh});
  const deleteButton = h('button', {id: 'delete', type: 'button', class: 'danger', disabled: !operator || fresh, onclick: remove}, 'Delete');

  fill(root,
    h('section', {class: 'card'},
      h('div', {class: 'row'}, h('h1', {id: 'script-name'}, name), status, meta),
      cleanup,
      h('div', {class: 'editors'},
        h('div', {}, h('h2', {}, name + '.lua'), luaHost),
        h('div', {}, h('h2', {}, name + '.toml'), tomlHost)),
      h('div', {class: 'row'},
        h('button', {id: 'save', type: 'button', disabled: !operator, onclick: save}, 'Save'),
        saveInfo),
      problems),
    h('section', {class: 'card'},
      h('h2', {}, 'Run'),
      h('div', {class: 'row'},
        h('label', {class: 'inline'}, 'Arguments ', args),
        h('button', {id: 'run', type: 'button', disabled: !operator, onclick: run}, 'Run'),
        h('button', {id: 'cancel', type: 'button', disabled: !operator, onclick: cancel}, 'Cancel'),
        enableButton,
        deleteButton),
      result),
    h('section', {class: 'card'},
      h('h2', {}, 'Last runs'),
      h('table', {class: 'list'}, h('thead', {}, h('tr', {},
        ['Run', 'Started', 'Trigger', 'Status', 'Duration', 'Events', 'Result'].map(t => h('th', {}, t)))), runsList),
      timeline),
    h('section', {class: 'card'},
      h('h2', {}, 'Log'),
      h('table', {class: 'list log'}, logRows)));

  const lua = CodeMirror(luaHost, {
    value: fresh ? NEW_SOURCE : data.source, mode: 'lua', lineNumbers: true, indentUnit: 2,
    gutters: ['CodeMirror-linenumbers', 'problem-gutter'], readOnly: !operator
  });
  const toml = CodeMirror(tomlHost, {
    value: fresh ? 'version = "1.0.0"\n' : data.toml || '', mode: 'toml', lineNumbers: true, readOnly: !operator
  });
  let marks = [];

  function showScript(s) {
    status.textContent = s.enabled === false ? 'DISABLED' : s.status;
    status.className = 'status ' + String(s.status).toLowerCase();
    meta.textContent = 'version ' + s.version + (s.deployedAt ? ', deployed ' + fmtTime(s.deployedAt) : '')
      + (s.jvmBytecode ? ', runs as JVM bytecode' : '');
    // a failed on_stop hook (its error or its own limit): the latest one, as script:info shows it
    const c = s.stats && s.stats.lastCleanupError;
    fill(cleanup, c ? 'last on_stop failure: ' + c.code + ' ' + errorText(c) : '');
    enableButton.textContent = s.enabled === false ? 'Enable' : 'Disable';
    enableButton.onclick = () => toggle(s.enabled === false);
  }
  if (!fresh) showScript(data.script);
  else {
    status.textContent = 'NEW';
    meta.textContent = 'not deployed yet';
    enableButton.textContent = 'Disable';
  }

  function clearProblems() {
    for (const m of marks) m.clear();
    marks = [];
    for (const ed of [lua, toml]) {
      ed.clearGutter('problem-gutter');
      for (let i = 0; i < ed.lineCount(); i++) ed.removeLineClass(i, 'background', 'line-error');
    }
    fill(problems);
  }

  function showProblems(errors) {
    clearProblems();
    for (const e of errors) {
      const ed = e.file && e.file.endsWith('.toml') ? toml : lua;
      fill(problems, [...problems.childNodes, h('li', {class: 'error'}, errorText(e))]);
      if (!e.line) continue;
      const line = Math.min(e.line, ed.lineCount()) - 1;
      ed.addLineClass(line, 'background', 'line-error');
      ed.setGutterMarker(line, 'problem-gutter', h('span', {class: 'problem-marker', title: e.message}, '\u25cf'));
      const widget = ed.addLineWidget(line, h('div', {class: 'inline-error', 'data-line': e.line, 'data-column': e.column || 0},
        e.line + ':' + (e.column || 0) + ': ' + e.message), {coverGutter: false, noHScroll: true});
      marks.push(widget);
      if (e.column) {
        marks.push(ed.markText({line, ch: e.column - 1}, {line, ch: e.column}, {className: 'error-mark'}));
      }
      if (errors.indexOf(e) === 0) ed.scrollIntoView({line, ch: 0}, 80);
    }
  }

  async function save() {
    saveInfo.textContent = 'saving...';
    try {
      const r = await api.put('/scripts/' + q, {source: lua.getValue(), toml: toml.getValue()});
      clearProblems();
      showScript(r.script);
      saveInfo.textContent = 'Saved: version ' + r.script.version + ', ' + r.script.status;
      if (fresh) {
        // deployed now: the page's address names the script (without rebuilding the page), and it can be deleted
        fresh = false;
        history.replaceState(null, '', '#/script/' + q);
        deleteButton.disabled = !operator;
        enableButton.disabled = !operator;
      }
    } catch (err) {
      if (err.status === 422 || err.status === 400 || err.status === 409) {
        const e = err.error;
        showProblems(e.details && e.details.length ? e.details : [e]);
        saveInfo.textContent = 'Not saved: the live version stays.';
      } else {
        saveInfo.textContent = '';
        say(err.message, true);
      }
    }
  }

  function showResult(r) {
    fill(result,
      h('div', {}, h('span', {id: 'result-status', class: 'status ' + r.status.toLowerCase()}, r.status),
        ' in ' + fmtMs(r.durationMs) + ', ' + r.instructions + ' instructions, ' + fmtBytes(r.allocatedBytes)
        + ', CPU ' + fmtMs(r.cpuTimeMs) + (r.permissionDenials ? ', ' + r.permissionDenials + ' denied' : '')),
      r.error ? h('pre', {id: 'result-error', class: 'error'}, errorText(r.error) + (r.error.traceback ? '\n' + r.error.traceback : '')) : null,
      r.status === 'COMPLETED' ? h('pre', {id: 'result-values'}, r.values.map(valueText).join(', ') || 'nil') : null,
      r.cleanupError ? h('pre', {class: 'error'}, 'on_stop: ' + errorText(r.cleanupError)) : null);
  }

  async function run() {
    let list;
    try {
      list = JSON.parse(args.value || '[]');
      if (!Array.isArray(list)) list = [list];
    } catch (e) {
      fill(result, h('p', {class: 'error'}, 'Arguments must be JSON, e.g. [1, "two", true]'));
      return;
    }
    fill(result, h('p', {class: 'muted'}, 'running...'));
    try {
      const r = await api.post('/scripts/' + q + '/run', {args: list});
      showResult(r.result);
      await loadRuns(r.result.executionId);
      await refreshLogs();
    } catch (err) {
      fill(result, h('p', {class: 'error', id: 'result-error'}, errorText(err.error) || err.message));
    }
  }

  async function cancel() {
    try {
      const r = await api.post('/scripts/' + q + '/cancel');
      say(r.cancelled + ' run(s) cancelled');
    } catch (err) {
      say(err.message, true);
    }
  }

  async function toggle(enable) {
    try {
      const r = await api.post('/scripts/' + q + (enable ? '/enable' : '/disable'));
      showScript(r.script);
    } catch (err) {
      say(err.message, true);
    }
  }

  async function remove() {
    if (!await confirmAction('Delete script ' + name + '? Its files leave the deploy folder and its runs are cancelled.', 'Delete')) return;
    try {
      await api.del('/scripts/' + q);
      location.hash = '#/scripts';
    } catch (err) {
      say(err.message, true);
    }
  }

  // ---- log ----
  // Lines come from the event stream and from polling /logs (for a REST API that does not stream log events,
  // and for lines written while the stream reconnected): each line is shown once.
  const seenLogs = new Set();
  function addLog(entry) {
    const key = [entry.time, entry.executionId, entry.level, entry.message].join('\u0000');
    if (seenLogs.has(key)) return;
    seenLogs.add(key);
    if (seenLogs.size > 4 * MAX_LOG_ROWS) seenLogs.delete(seenLogs.values().next().value);
    logRows.appendChild(h('tr', {class: 'level-' + String(entry.level).toLowerCase()},
      h('td', {class: 'time'}, fmtTime(entry.time)), h('td', {}, entry.level), h('td', {class: 'message'}, entry.message)));
    while (logRows.childNodes.length > MAX_LOG_ROWS) logRows.removeChild(logRows.firstChild);
  }

  // ---- traces ----
  let shownRun = null;
  async function loadRuns(open) {
    let runs;
    try {
      runs = (await api.get('/scripts/' + q + '/runs')).runs;
    } catch (err) {
      fill(runsList, h('tr', {}, h('td', {colspan: 7}, err.status === 404 ? 'No runs recorded yet.' : err.message)));
      return;
    }
    fill(runsList, runs.length ? runs.map(r => h('tr', {'data-run': r.run, class: 'clickable', onclick: () => openRun(r.run)},
      h('td', {class: 'num'}, r.run), h('td', {}, fmtTime(r.startedAt)), h('td', {}, r.trigger),
      h('td', {}, h('span', {class: 'status ' + r.status.toLowerCase()}, r.status)),
      h('td', {class: 'num'}, fmtMs(r.durationMs)),
      h('td', {class: 'num'}, r.eventCount + (r.omittedEvents ? ' +' + r.omittedEvents : '')),
      h('td', {class: 'problem'}, r.error ? errorText(r.error) : r.result)))
      : h('tr', {}, h('td', {colspan: 7}, 'No runs recorded yet.')));
    for (const tr of runsList.querySelectorAll('tr')) tr.classList.toggle('selected', tr.dataset.run === String(shownRun));
    const first = runs.find(r => r.executionId === open) || (open ? runs[0] : null);
    if (first) await openRun(first.run);
    else if (shownRun === null && runs.length) await openRun(runs[0].run);
  }

  async function openRun(number) {
    shownRun = number;
    for (const tr of runsList.querySelectorAll('tr')) tr.classList.toggle('selected', tr.dataset.run === String(number));
    let t;
    try {
      t = (await api.get('/scripts/' + q + '/runs/' + api.enc(String(number)))).trace;
    } catch (err) {
      fill(timeline, h('p', {class: 'error'}, err.message));
      return;
    }
    fill(timeline, renderTrace(t));
  }

  async function refreshLogs() {
    try {
      for (const e of (await api.get('/scripts/' + q + '/logs?max=100')).logs) addLog(e);
    } catch (err) {
      // a new script has no log yet
    }
  }

  await loadRuns(null);
  await refreshLogs();
  let lastRun = null;
  const poll = setInterval(async () => {
    await refreshLogs();
    try {
      const runs = (await api.get('/scripts/' + q + '/runs')).runs;
      const newest = runs.length ? runs[0].run : null;
      if (newest !== lastRun) {
        lastRun = newest;
        await loadRuns(null);
      }
    } catch (err) {
      // shown by the next loadRuns
    }
  }, 2000);
  let pending = null;
  const stop = listen((type, d) => {
    if (type === 'log' && d.script === name) addLog(d);
    if (type === 'run' && d.script === name && !pending) {
      pending = setTimeout(() => {
        pending = null;
        loadRuns(null).catch(() => {});
      }, 300);
    }
    if (type === 'script' && d.script && d.script.name === name) showScript(d.script);
  });
  return () => {
    stop();
    clearInterval(poll);
    if (pending) clearTimeout(pending);
  };
}

const KIND = {START: 'start', CALL: 'call', DENIED: 'denied', RATE_LIMITED: 'rate limited', LOG: 'log', END: 'end'};

/** A run's timeline: when each event happened, what it was, and a bar for the time a call took. */
export function renderTrace(t) {
  const total = Math.max(t.durationMs || 0, ...t.events.map(e => (e.atMs || 0) + (e.durationMs || 0)), 0.001);
  const rows = t.events.map(e => {
    const bar = h('div', {class: 'bar ' + e.type.toLowerCase() + (e.failed ? ' failed' : '')});
    bar.style.marginLeft = (100 * (e.atMs || 0) / total).toFixed(2) + '%';
    bar.style.width = Math.max(0.5, 100 * (e.durationMs || 0) / total).toFixed(2) + '%';
    let what;
    if (e.type === 'START') what = 'arguments ' + e.detail;
    else if (e.type === 'LOG') what = e.name + ' ' + e.detail;
    else if (e.type === 'END') what = e.name + (e.outcome ? (e.failed ? ': ' : ' \u2192 ') + e.outcome : '');
    else what = e.name + e.detail + (e.outcome ? ' \u2192 ' + e.outcome : '');
    return h('tr', {class: 'event ' + e.type.toLowerCase() + (e.failed ? ' failed' : ''), 'data-type': e.type},
      h('td', {class: 'num'}, '+' + (e.atMs || 0).toFixed(3) + ' ms'),
      h('td', {}, h('span', {class: 'kind'}, KIND[e.type] || e.type)),
      h('td', {class: 'what'}, what),
      h('td', {class: 'num'}, e.type === 'CALL' || e.type === 'DENIED' || e.type === 'RATE_LIMITED' ? fmtMs(e.durationMs) : ''),
      h('td', {class: 'timeline'}, bar));
  });
  return h('div', {class: 'trace', 'data-run': t.run},
    h('h3', {}, 'Run ' + t.run + ' \u2014 ' + t.status + ', ' + fmtMs(t.durationMs) + ', ' + t.instructions + ' instructions, version '
      + t.version + ', ' + t.trigger.toLowerCase()),
    t.error ? h('p', {class: 'error'}, errorText(t.error)) : null,
    h('table', {class: 'list timeline-table'}, h('tbody', {}, rows)),
    t.omittedEvents ? h('p', {class: 'muted'}, t.omittedEvents + ' more events not recorded (the trace of a run is bounded)') : null);
}
