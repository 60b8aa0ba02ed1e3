import { h, formatWait, secondsSince } from './dom.js';

// An operator's status as the operator's page and the manager's table show it: a name and a colour each
// (css/status.css), never the colour alone, and how long it has lasted, ticking.
export const STATUS_LABELS = {
  available: 'Tillgänglig', on_call: 'I samtal', wrap_up: 'Efterarbete', paused: 'Paus', offline: 'Offline',
  disconnected: 'Frånkopplad',
};

/** The status shown: a connected call overrides the stored status; a dropped connection shows as such. */
export function shownStatus(o) {
  if (o.currentCallId || o.callId) return 'on_call';
  if (o.connected === false && o.status !== 'offline') return 'disconnected';
  return o.status;
}

/** When the status shown began: the call's answer, the end of the last call for someone available, else the change of status. */
export function shownSince(o, callAnsweredAt = o.callAnsweredAt) {
  const status = shownStatus(o);
  if (status === 'on_call') return callAnsweredAt ?? null;
  if (status === 'available' && o.idleSince && new Date(o.idleSince) > new Date(o.statusChangedAt)) return o.idleSince;
  return o.statusChangedAt ?? null;
}

/** Whole seconds of after-call work left, or null when not in it. */
export function afterCallLeft(o) {
  if (!o?.afterCallUntil || o.status !== 'wrap_up') return null;
  return Math.max(0, Math.ceil((new Date(o.afterCallUntil) - Date.now()) / 1000));
}

/** The text beside the status: time in it, and for after-call work the time left. */
export function statusTime(o, callAnsweredAt) {
  const since = shownSince(o, callAnsweredAt);
  const left = afterCallLeft(o);
  const parts = [];
  if (since) parts.push(formatWait(secondsSince(since)));
  if (left !== null) parts.push(`${left} s kvar`);
  return parts.join(' · ');
}

/** The status as a badge, with its time in a span that {@link tickStatusTimes} updates every second. */
export function statusBadge(o, extra = '') {
  const status = shownStatus(o);
  const time = h('span.status-time', {}, statusTime(o));
  time.statusOf = o;
  return h('span.status-badge', { dataset: { status } }, `${STATUS_LABELS[status] ?? status}${extra}`, ' ', time);
}

/** Updates the times of every badge under root (not a live region: it changes every second). */
export function tickStatusTimes(root) {
  for (const time of root.querySelectorAll('.status-time')) if (time.statusOf) time.textContent = statusTime(time.statusOf);
}
