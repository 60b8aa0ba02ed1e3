import { api } from './api.js';
import { swedishMessage } from './errors.js';

// Small helpers shared by the views: building elements safely, Swedish formatting, municipality names.

// h('tag.class', { attr }, ...children): text children are text nodes, never HTML.
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  if (tag === 'input' && DATE_KINDS[attrs?.type]) return swedishDateInput(spec, attrs);
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

// Dates are written the Swedish way (2026-12-01, 2026-12-01 08:00) whatever the browser's language: a date or
// datetime-local input would follow the browser's locale (12/01/2026), so it is a text field with a pattern, a hint
// in the placeholder and, when what is written does not fit, an error beside it. Its value reads as the input's
// would (2026-12-01; 2026-12-01 08:00, which Date reads as local time like 2026-12-01T08:00).
const DATE_KINDS = {
  date: { pattern: '\\d{4}-\\d{2}-\\d{2}', placeholder: 'ÅÅÅÅ-MM-DD', size: 11, example: '2026-12-01' },
  'datetime-local': { pattern: '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}', placeholder: 'ÅÅÅÅ-MM-DD TT:MM', size: 17, example: '2026-12-01 08:00' },
};
function swedishDateInput(spec, attrs) {
  const kind = DATE_KINDS[attrs.type];
  const input = h(spec, { autocomplete: 'off', ...attrs, type: 'text', inputmode: 'numeric', pattern: kind.pattern,
    placeholder: kind.placeholder, size: kind.size, value: attrs.value ? String(attrs.value).replace('T', ' ') : attrs.value,
    dataset: { ...(attrs.dataset ?? {}), dateKind: attrs.type } });
  // As a browser's date field does, a complete date says so at once (change), not only when the field is left.
  input.addEventListener('input', () => {
    if (new RegExp(`^${kind.pattern}$`).test(input.value.trim())) input.dispatchEvent(new Event('change'));
  });
  input.addEventListener('change', () => {
    const id = `${input.id || 'date'}-format-error`;
    input.parentElement?.querySelector(`#${CSS.escape(id)}`)?.remove();
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(d => d && d !== id);
    const wrong = input.value.trim() !== '' && !new RegExp(`^${kind.pattern}$`).test(input.value.trim());
    if (wrong) {
      input.setAttribute('aria-invalid', 'true');
      input.after(h('p.field-error', { id }, `Skriv ${attrs.type === 'date' ? 'datumet' : 'datum och tid'} som ${kind.placeholder}, t.ex. ${kind.example}.`));
      described.push(id);
    } else if (input.getAttribute('aria-invalid') === 'true' && !input.parentElement?.querySelector(`.field-error[id="${CSS.escape(`${input.id}-error`)}"]`)) {
      input.removeAttribute('aria-invalid');
    }
    if (described.length) input.setAttribute('aria-describedby', described.join(' ')); else input.removeAttribute('aria-describedby');
  });
  return input;
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
