import { api, ApiError } from './api.js';
import { h, formatDateTime } from './dom.js';

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

// Saves with If-Match; answers the saved entry, or null after showing what went wrong in `error`.
export async function save(error, path, { method, version, body }) {
  error.textContent = '';
  try {
    return await api(path, { method, body, headers: version !== undefined ? { 'If-Match': `"${version}"` } : {} });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error.textContent = problemText(e);
    return null;
  }
}

export function problemText(e) {
  if (e.status === 409 && e.problem?.changedBy) {
    return `Någon annan hann före: ${e.problem.changedBy} ändrade posten ${formatDateTime(e.problem.changedAt)}. `
      + 'Ingenting sparades. Ladda om posten och gör din ändring igen.';
  }
  if (e.status === 403) return 'Du får bara ändra din egen kommuns uppgifter.';
  const fields = Object.entries(e.fieldErrors).map(([name, messages]) => `${name}: ${[messages].flat().join(' ')}`);
  return [e.message, ...fields].join(' ');
}

export function localDateTimeValue(at) {
  if (!at) return '';
  const date = new Date(at);
  return new Date(date - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
