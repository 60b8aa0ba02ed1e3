import { token, verify, ended } from './session.js';

// The one SignalR connection. When it drops it reconnects by itself ("Återansluter …") for as long as the
// service keeps an operator's place (Routing:ReconnectGrace, a minute); after that the page says "Inte ansluten",
// offers "Försök igen" (retry()) and keeps trying quietly every half minute. Each time it is back, the page is
// told ('resync'), so views fetch a fresh state. A session an administrator ended (account disabled, password set,
// role changed) is not retried: the service closes the connection or refuses an invocation with `account-revoked`,
// and the page goes back to the login with the reason (app.js).
const GIVE_UP_AFTER_MS = 60_000;
const QUIET_RETRY_MS = [3_000, 6_000, 12_000, 30_000];

const listeners = new Map();
let connection = null;
let stateListener = () => {};
let retryTimer = null;
let quietFailures = 0;

// listener(state, busy): connected, reconnecting or disconnected; busy while an attempt to connect is under way.
export function onState(listener) { stateListener = listener; }

export function on(event, handler) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(handler);
  connection?.on(event, handler);
  return () => { listeners.get(event)?.delete(handler); connection?.off(event, handler); };
}

export function invoke(method, ...args) {
  if (!connection || connection.state !== 'Connected') {
    return Promise.reject(new Error('Inte ansluten till växeln just nu – försök igen när anslutningen är tillbaka.'));
  }
  return connection.invoke(method, ...args).catch(error => {
    if (/HubException: account-revoked:/.test(String(error?.message))) ended('ended');
    throw error;
  });
}

export const isConnected = () => connection?.state === 'Connected';

export async function connect() {
  const built = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/switchboard', { accessTokenFactory: token })
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: ctx => ctx.elapsedMilliseconds >= GIVE_UP_AFTER_MS ? null
        : Math.min(500 * 2 ** ctx.previousRetryCount, 10_000, GIVE_UP_AFTER_MS - ctx.elapsedMilliseconds),
    })
    .build();
  connection = built;
  for (const [event, handlers] of listeners) for (const handler of handlers) built.on(event, handler);
  built.onreconnecting(() => stateListener('reconnecting'));
  built.onreconnected(() => connected());
  built.onclose(async () => {
    if (connection !== built) return; // signed out
    stateListener('disconnected');
    quietFailures = 0;
    if (await verify()) later();
  });
  await attempt({ quiet: false });
}

/** Try to connect now (the "Försök igen" button). */
export function retry() { return attempt({ quiet: false }); }

// One attempt to start the connection. A quiet attempt leaves the page saying "Inte ansluten" until it succeeds.
async function attempt({ quiet }) {
  clearTimeout(retryTimer);
  const c = connection;
  if (!c || !token() || c.state !== 'Disconnected') return;
  stateListener(quiet ? 'disconnected' : 'reconnecting', true); // busy: an attempt is under way
  try {
    await c.start();
    if (connection !== c) return;
    quietFailures = 0;
    connected();
  } catch {
    if (connection !== c) return;
    stateListener('disconnected', false);
    quietFailures++;
    if (await verify()) later();
  }
}

function later() {
  clearTimeout(retryTimer);
  if (!token()) return;
  retryTimer = setTimeout(() => attempt({ quiet: true }), QUIET_RETRY_MS[Math.min(quietFailures, QUIET_RETRY_MS.length - 1)]);
}

function connected() {
  stateListener('connected');
  window.dispatchEvent(new CustomEvent('resync'));
}

export async function disconnect() {
  const c = connection;
  connection = null;
  clearTimeout(retryTimer);
  await c?.stop();
}
