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

// Why the session ended, for the login page to say: 'expired' (the token ran out), 'too-old' (the session reached
// Access:SessionLifetime) or 'ended' (an administrator disabled the account, set its password or changed its role).
export function ended(reason) {
  window.dispatchEvent(new CustomEvent('session-expired', { detail: { reason } }));
}

// Whether the service still accepts the token; tells the page (ended) when it does not. Network errors count as
// accepted: the connection's own retries deal with an unreachable service.
export async function verify() {
  if (!token()) return false;
  try {
    const response = await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${token()}` } });
    if (response.status !== 401) return true;
  } catch {
    return true;
  }
  ended(current() ? 'ended' : 'expired');
  return false;
}

function scheduleRefresh(login) {
  clearTimeout(refreshTimer);
  const inMs = new Date(login.expiresAt) - new Date() - 2 * 60 * 1000;
  refreshTimer = setTimeout(async () => {
    const response = await fetch('/api/auth/refresh', { method: 'POST', headers: { Authorization: `Bearer ${token()}` } });
    if (response.ok) store(await response.json());
    else if (response.status === 401) {
      const problem = await response.json().catch(() => null);
      ended(problem?.title === 'Session too old' ? 'too-old' : 'ended');
    }
  }, Math.max(inMs, 5000));
}

export function resume() {
  const session = current();
  if (session) scheduleRefresh(session);
  return session;
}
