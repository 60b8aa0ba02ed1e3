import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { swedishMessage, swedishFieldErrors } from './errors.js';

// Form helpers for the editors' views: labelled fields, If-Match saves and the messages a 409 or 400 deserves.
export function field(id, label, attrs = {}) {
  const control = attrs.options
    ? h('select', { id, name: id }, attrs.options.map(([value, text]) => h('option', { value, selected: value === attrs.value }, text)))
    : attrs.rows ? h('textarea', { id, name: id, rows: attrs.rows }, attrs.value ?? '')
      : h('input', { id, name: id, type: attrs.type ?? 'text', value: attrs.value ?? '', autocomplete: 'off' });
  if (attrs.type === 'checkbox') control.checked = Boolean(attrs.checked);
  return [h('label', { for: id }, label), control];
}

export const valueOf = (form, id) => form.querySelector(`#${id}`)?.value.trim() || null;

// Saves with If-Match; answers the saved entry, or null after showing what went wrong in `error` (in Swedish).
// `fields` maps the API's field names to the ids of the form's controls, so each field error is shown beside its field.
export async function save(error, path, { method, version, body, fields }) {
  error.textContent = '';
  const form = error.closest('form') ?? error.parentElement;
  clearFieldErrors(form);
  try {
    return await api(path, { method, body, headers: version !== undefined ? { 'If-Match': `"${version}"` } : {} });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error.textContent = problemText(e);
    if (fields && form) markFieldErrors(form, e, fields);
    return null;
  }
}

export function problemText(e) {
  return swedishMessage(e);
}

// Each field error beside its control (aria-invalid, described by the message), named by the form's own label for
// the control (the API's "text" is the form's "Meddelande"); errors for fields the form does not show stay in the
// form's summary only. `fields` maps an API field name (or a function of it) to a control id. Answers the labels marked.
export function markFieldErrors(form, e, fields) {
  const marked = [];
  for (const { field, label, messages } of swedishFieldErrors(e)) {
    const id = typeof fields === 'function' ? fields(field) : fields[field];
    const control = id ? form.querySelector(`#${CSS.escape(id)}`) : null;
    if (!control) continue;
    const own = form.querySelector(`label[for="${CSS.escape(id)}"]`)?.textContent.trim() || control.getAttribute('aria-label') || label;
    const worded = messages.map(m => (label && own !== label && m.startsWith(label) ? own + m.slice(label.length) : m));
    marked.push(own);
    const note = h('p.field-error', { id: `${id}-error`, dataset: { field } }, worded.join(' '));
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), note.id].filter(Boolean).join(' '));
    (control.closest('[data-field-row]') ?? control).after(note);
  }
  return marked;
}

export function clearFieldErrors(form) {
  if (!form) return;
  for (const note of form.querySelectorAll('.field-error')) {
    const control = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (control) {
      control.removeAttribute('aria-invalid');
      const rest = control.getAttribute('aria-describedby').split(' ').filter(id => id !== note.id).join(' ');
      if (rest) control.setAttribute('aria-describedby', rest); else control.removeAttribute('aria-describedby');
    }
    note.remove();
  }
}

// A status or error message that outlives the redraw its own action causes (a saved form is drawn again) and goes
// away at the person's next action in `scope`: typing, choosing, or pressing a button or link.
export function showUntilNextAction(element, text, scope = document) {
  element.textContent = text;
  element._clearOnAction?.();
  if (!text) return;
  const clear = event => {
    if (event.type === 'click' && !event.target.closest?.('button, a, summary')) return;
    element.textContent = '';
    element._clearOnAction?.();
  };
  const events = ['input', 'change', 'click'];
  for (const type of events) scope.addEventListener(type, clear, true);
  element._clearOnAction = () => { for (const type of events) scope.removeEventListener(type, clear, true); element._clearOnAction = null; };
}

export function localDateTimeValue(at) {
  if (!at) return '';
  const date = new Date(at);
  return new Date(date - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
