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

// Each field error beside its control (aria-invalid, described by the message); errors for fields the form does not
// show stay in the form's summary only. `fields` maps an API field name (or a function of it) to a control id.
export function markFieldErrors(form, e, fields) {
  for (const { field, messages } of swedishFieldErrors(e)) {
    const id = typeof fields === 'function' ? fields(field) : fields[field];
    const control = id ? form.querySelector(`#${CSS.escape(id)}`) : null;
    if (!control) continue;
    const note = h('p.field-error', { id: `${id}-error`, dataset: { field } }, messages.join(' '));
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), note.id].filter(Boolean).join(' '));
    (control.closest('[data-field-row]') ?? control).after(note);
  }
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

export function localDateTimeValue(at) {
  if (!at) return '';
  const date = new Date(at);
  return new Date(date - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
