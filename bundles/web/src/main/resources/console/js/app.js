// The console's frame: login, navigation by the URL's fragment, one event stream for all views.
import * as api from './api.js';
import {h, fill} from './dom.js';
import {scriptsView} from './scripts.js';
import {scriptView} from './script.js';
import {devicesView} from './devices.js';
import {schedulesView} from './schedules.js';
import {dashboardView} from './dashboard.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const logoutButton = document.getElementById('logout');
const notice = document.getElementById('notice');

let me = null;
let leave = null;          // the current view's clean-up
let events = null;         // the EventSource
const listeners = new Set();

/** Live events (log, run, script) to f(type, data) until the returned function is called. */
export function listen(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

function openEvents() {
  if (events) return;
  events = new EventSource('/api/v1/events?types=log,run,script');
  for (const type of ['log', 'run', 'script']) {
    events.addEventListener(type, e => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      for (const f of [...listeners]) {
        try {
          f(type, data);
        } catch (err) {
          console.error(err);
        }
      }
    });
  }
}

function closeEvents() {
  if (events) events.close();
  events = null;
}

export function role() {
  return me ? me.role : null;
}

export function mayOperate() {
  return me && (me.role === 'operator' || me.role === 'admin');
}

/** A short message at the top: info or error. */
export function say(text, isError) {
  notice.hidden = !text;
  notice.className = isError ? 'error' : 'info';
  notice.textContent = text || '';
}

/** Asks for confirmation in a modal dialog; resolves true or false. */
export function confirmAction(text, yesLabel) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  const yes = document.getElementById('confirm-yes');
  const no = document.getElementById('confirm-no');
  yes.textContent = yesLabel || 'Confirm';
  return new Promise(resolve => {
    const done = answer => {
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      dialog.removeEventListener('cancel', onNo);
      dialog.close();
      resolve(answer);
    };
    const onYes = () => done(true);
    const onNo = () => done(false);
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
    dialog.addEventListener('cancel', onNo);
    dialog.showModal();
    no.focus();
  });
}

function showLogin(message) {
  me = null;
  closeEvents();
  if (leave) leave();
  leave = null;
  nav.hidden = true;
  logoutButton.hidden = true;
  who.textContent = '';
  const user = h('input', {id: 'login-user', name: 'user', autocomplete: 'username', required: true});
  const password = h('input', {id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const error = h('p', {id: 'login-error', class: 'error'}, message || '');
  const form = h('form', {id: 'login', class: 'card narrow', onsubmit: async e => {
    e.preventDefault();
    error.textContent = '';
    try {
      me = await api.login(user.value, password.value);
      password.value = '';
      started();
    } catch (err) {
      error.textContent = err.status === 401 ? 'Wrong user name or password.' : err.message;
    }
  }},
  h('h1', {}, 'Log in'),
  h('label', {}, 'User', user),
  h('label', {}, 'Password', password),
  h('button', {id: 'login-submit', type: 'submit'}, 'Log in'),
  error);
  fill(view, form);
  user.focus();
}

function started() {
  nav.hidden = false;
  logoutButton.hidden = false;
  who.textContent = me.user + ' (' + me.role + ')';
  openEvents();
  if (!location.hash || location.hash === '#/login') location.hash = '#/scripts';
  else route();
}

async function route() {
  if (!me) return;
  say('');
  if (leave) leave();
  leave = null;
  const parts = (location.hash || '#/scripts').slice(2).split('/').map(decodeURIComponent);
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.nav === parts[0]);
  const views = {scripts: scriptsView, script: scriptView, devices: devicesView, schedules: schedulesView, dashboard: dashboardView};
  const v = views[parts[0]] || scriptsView;
  try {
    leave = await v(view, parts.slice(1));
  } catch (err) {
    say(err.message, true);
  }
}

api.whenUnauthenticated(() => showLogin('Your session has ended; please log in again.'));
window.addEventListener('hashchange', route);
logoutButton.addEventListener('click', async () => {
  try {
    await api.logout();
  } catch (err) {
    // logged out either way
  }
  showLogin('');
});

(async () => {
  try {
    me = await api.session();
    started();
  } catch (err) {
    showLogin('');
  }
})();
