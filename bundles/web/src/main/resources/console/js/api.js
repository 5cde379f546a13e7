// The REST API (/api/v1), with the session cookie and the CSRF header on every mutating call.

let csrf = null;
let onUnauthenticated = () => {};

export class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : 'HTTP ' + status);
    this.status = status;
    this.error = error || {};
  }
}

export function whenUnauthenticated(f) {
  onUnauthenticated = f;
}

export async function call(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let resp;
  try {
    resp = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  } catch (e) {
    throw new ApiError(0, {code: 'network', message: 'The container does not answer.'});
  }
  let data = null;
  const text = await resp.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!resp.ok) {
    if (resp.status === 401 && path !== '/session') onUnauthenticated();
    throw new ApiError(resp.status, data && data.error ? data.error : {code: 'http', message: 'HTTP ' + resp.status});
  }
  return data;
}

export const get = path => call('GET', path);
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);
export const put = (path, body) => call('PUT', path, body);
export const del = path => call('DELETE', path);

export async function session() {
  const s = await call('GET', '/session');
  csrf = s.csrfToken;
  return s;
}

export async function login(user, password) {
  const s = await call('POST', '/session', {user, password});
  csrf = s.csrfToken;
  return s;
}

export async function logout() {
  try {
    await call('DELETE', '/session');
  } finally {
    csrf = null;
  }
}

export const enc = encodeURIComponent;
