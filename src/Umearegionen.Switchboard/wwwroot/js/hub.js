import { token } from './session.js';

// The one SignalR connection. It reconnects by itself for as long as the page is open and tells
// the page when it is back, so views can fetch a fresh state (resynchronise).
const listeners = new Map();
let connection = null;
let stateListener = () => {};

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
  return connection.invoke(method, ...args);
}

export const isConnected = () => connection?.state === 'Connected';

export async function connect() {
  connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/switchboard', { accessTokenFactory: token })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(500 * 2 ** ctx.previousRetryCount, 10000) })
    .build();
  for (const [event, handlers] of listeners) for (const handler of handlers) connection.on(event, handler);
  connection.onreconnecting(() => stateListener('reconnecting'));
  connection.onreconnected(() => { stateListener('connected'); window.dispatchEvent(new CustomEvent('resync')); });
  connection.onclose(() => { stateListener('disconnected'); if (token()) setTimeout(start, 2000); });
  await start();
}

async function start() {
  if (!connection || !token()) return;
  try {
    stateListener('reconnecting');
    await connection.start();
    stateListener('connected');
    window.dispatchEvent(new CustomEvent('resync'));
  } catch {
    stateListener('disconnected');
    setTimeout(start, 3000);
  }
}

export async function disconnect() {
  const c = connection;
  connection = null;
  await c?.stop();
}
