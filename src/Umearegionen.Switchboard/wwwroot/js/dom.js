import { api } from './api.js';
import { swedishMessage } from './errors.js';

// Small helpers shared by the views: building elements safely, Swedish formatting, municipality names.

// h('tag.class', { attr }, ...children): text children are text nodes, never HTML.
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag);
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

const time = new Intl.DateTimeFormat('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm' });
const dateTime = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Stockholm' });
export const formatTime = at => at ? time.format(new Date(at)) : '';
export const formatDateTime = at => at ? dateTime.format(new Date(at)) : '';

export function formatWait(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export const secondsSince = at => (Date.now() - new Date(at)) / 1000;

let municipalities = null;
export async function loadMunicipalities() {
  municipalities ??= api('/api/directory/municipalities').catch(e => { municipalities = null; throw e; });
  return municipalities;
}
const names = new Map();
export async function municipalityNames() {
  if (!names.size) for (const m of await loadMunicipalities()) names.set(m.code, m.name);
  return names;
}
export const municipalityName = code => code ? names.get(code) ?? code : 'Okänd kommun';

// True while the person is typing: global shortcuts must leave those keys alone.
export function isTyping(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

// Kept for the views that call them: both give the Swedish sentence of js/errors.js.
export const fieldErrorText = error => swedishMessage(error);
export const hubErrorText = error => swedishMessage(error);
