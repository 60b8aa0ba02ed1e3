import * as session from './session.js';
import * as hub from './hub.js';
import { ApiError } from './api.js';
import { swedishMessage } from './errors.js';
import { viewsFor } from './views/index.js';

const ROLE_NAMES = { operator: 'Telefonist', editor: 'Redaktör', manager: 'Chef', administrator: 'Administratör' };
const CONNECTION_TEXT = { connected: 'Ansluten', reconnecting: 'Återansluter …', disconnected: 'Inte ansluten' };

const $ = id => document.getElementById(id);
let activeView = null;

async function login(event) {
  event.preventDefault();
  const error = $('login-error');
  error.textContent = '';
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    error.textContent = 'Fyll i både användarnamn och lösenord.';
    return;
  }
  const response = await fetch('/api/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    error.textContent = response.status === 429
      ? 'För många inloggningsförsök. Vänta en minut och försök igen.'
      : 'Fel användarnamn eller lösenord.';
    return;
  }
  session.store(body);
  await enter(body);
}

async function enter(current) {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('session').hidden = false;
  $('user-name').textContent = current.user.displayName;
  $('user-role').textContent = ROLE_NAMES[current.user.role] ?? current.user.role;
  hub.onState((state, busy = false) => {
    const pill = $('connection');
    pill.dataset.state = state;
    pill.setAttribute('aria-busy', String(busy));
    pill.textContent = CONNECTION_TEXT[state];
    $('reconnect').hidden = state !== 'disconnected';
  });
  $('reconnect').onclick = () => hub.retry();
  renderNav(current.user);
  await hub.connect();
}

function renderNav(user) {
  const nav = $('nav');
  nav.replaceChildren();
  const views = viewsFor(user.role);
  for (const view of views) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${view.id}`;
    a.textContent = view.title;
    li.append(a);
    nav.append(li);
  }
  window.onhashchange = () => show(views, user);
  show(views, user);
}

async function show(views, user) {
  const id = location.hash.slice(1);
  const view = views.find(v => v.id === id) ?? views[0];
  for (const a of document.querySelectorAll('#nav a')) {
    a.toggleAttribute('aria-current', a.getAttribute('href') === `#${view?.id}`);
    if (a.hasAttribute('aria-current')) a.setAttribute('aria-current', 'page');
  }
  activeView?.dispose?.();
  const container = $('view');
  container.replaceChildren();
  try {
    activeView = view ? await view.render(container, { user }) : null;
  } catch (e) {
    // A view that cannot load says why, in Swedish, instead of staying blank.
    activeView = null;
    const error = document.createElement('p');
    error.className = 'error';
    error.setAttribute('role', 'alert');
    error.textContent = `Vyn kunde inte visas. ${swedishMessage(e)}`;
    container.append(error);
  }
}

async function logout() {
  session.clear();
  await hub.disconnect();
  location.hash = '';
  location.reload();
}

// The login page says why the person was signed out (kept across the reload for this tab only).
const SIGNED_OUT_KEY = 'switchboard.signed-out';
const SIGNED_OUT_TEXT = {
  expired: 'Din inloggning har gått ut. Logga in igen.',
  'too-old': 'Du har varit inloggad så länge som en session får vara. Logga in igen.',
  ended: 'Du har loggats ut: en administratör har stängt av kontot, satt ett nytt lösenord eller ändrat din roll. '
    + 'Logga in igen, eller kontakta en administratör om det inte går.',
};
let signingOut = false;

window.addEventListener('session-expired', async event => {
  if (signingOut) return;
  signingOut = true;
  sessionStorage.setItem(SIGNED_OUT_KEY, SIGNED_OUT_TEXT[event.detail?.reason] ?? SIGNED_OUT_TEXT.expired);
  session.clear();
  await hub.disconnect().catch(() => {});
  location.hash = '';
  location.reload();
});
window.addEventListener('unhandledrejection', event => {
  if (event.reason instanceof ApiError) console.warn(swedishMessage(event.reason));
});

document.addEventListener('DOMContentLoaded', async () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  const resumed = session.resume();
  if (resumed) await enter(resumed);
  else {
    const why = sessionStorage.getItem(SIGNED_OUT_KEY);
    sessionStorage.removeItem(SIGNED_OUT_KEY);
    if (why) $('login-error').textContent = why;
    $('username').focus();
  }
});
