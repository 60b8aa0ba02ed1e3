import { h } from './dom.js';
import { token } from './session.js';
import { ApiError } from './api.js';
import { problemText } from './form.js';
import { translateFieldMessage, fieldLabel } from './errors.js';

// Fetches a file with the Bearer token and saves the bytes exactly as they came (the CSV's UTF-8 byte order mark
// is what makes Swedish Excel read å, ä, ö correctly). Saved as `name`, else as the service's Content-Disposition
// names it. Answers the name; a refusal throws ApiError.
export async function downloadFile(path, name = null) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}`, Accept: 'text/csv' } });
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent('session-expired'));
    const problem = (response.headers.get('content-type') ?? '').includes('json') ? await response.json() : null;
    throw new ApiError(response.status, problem);
  }
  const given = /filename\*?=(?:UTF-8'')?"?([^";]+)/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  const saveAs = name ?? (given ? decodeURIComponent(given) : 'fil.csv');
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: saveAs, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return saveAs;
}

// Sends a CSV file as the multipart field `file` (docs/directory.md, "CSV import"). Answers the parsed body when the
// service took it; otherwise shows the refusal in `report` (the per-row table of a 422, or the problem's message)
// and answers null.
export async function uploadCsv(path, file, report) {
  report.replaceChildren(h('p', {}, 'Importerar …'));
  const data = new FormData();
  data.append('file', file);
  const response = await fetch(path, { method: 'POST', body: data, headers: { Authorization: `Bearer ${token()}` } });
  const body = await response.json().catch(() => null);
  if (response.ok) return body;
  if (response.status === 401) window.dispatchEvent(new CustomEvent('session-expired'));
  const rows = body?.rows ?? [];
  report.replaceChildren(h('p.error', {}, rows.length ? `Ingenting importerades: ${rows.length} fel i filen. Rätta raderna och importera hela filen igen.`
    : problemText(new ApiError(response.status, body))),
  rows.length ? h('table.list.compact', {}, h('caption', {}, 'Fel per rad'),
    h('thead', {}, h('tr', {}, ['Rad', 'Fält', 'Fel'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map(r => h('tr', {}, h('td.num', {}, String(r.row)), h('td', {}, r.field ? `${fieldLabel(r.field)} (${r.field})` : ''), h('td', {}, translateFieldMessage(r.field, r.message)))))) : null);
  return null;
}
