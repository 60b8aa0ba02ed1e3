// The signed-in user's token, kept for this browser tab only and refreshed before it runs out.
const KEY = 'switchboard.session';
let refreshTimer = null;

export function current() {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const session = JSON.parse(raw);
  return new Date(session.expiresAt) > new Date() ? session : null;
}

export function store(login) {
  sessionStorage.setItem(KEY, JSON.stringify(login));
  scheduleRefresh(login);
}

export function clear() {
  sessionStorage.removeItem(KEY);
  clearTimeout(refreshTimer);
}

export function token() {
  return current()?.accessToken ?? '';
}

function scheduleRefresh(login) {
  clearTimeout(refreshTimer);
  const inMs = new Date(login.expiresAt) - new Date() - 2 * 60 * 1000;
  refreshTimer = setTimeout(async () => {
    const response = await fetch('/api/auth/refresh', { method: 'POST', headers: { Authorization: `Bearer ${token()}` } });
    if (response.ok) store(await response.json());
  }, Math.max(inMs, 5000));
}

export function resume() {
  const session = current();
  if (session) scheduleRefresh(session);
  return session;
}
