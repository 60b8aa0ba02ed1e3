import { api, ApiError } from './api.js';
import { h, formatDateTime } from './dom.js';
import { save } from './form.js';

export const DAYS = [['monday', 'Måndag'], ['tuesday', 'Tisdag'], ['wednesday', 'Onsdag'], ['thursday', 'Torsdag'],
  ['friday', 'Fredag'], ['saturday', 'Lördag'], ['sunday', 'Söndag']];

// A unit's opening hours: the week as "08:00–12:00, 13:00–16:30" per day, and dated exceptions.
export async function hoursEditor(unitId, { onSaved }) {
  let stored = null;
  try {
    stored = await api(`/api/opening-hours/units/${unitId}`);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  const version = stored?.version ?? 0;
  const form = h('form.grid.hours', { id: 'hours-form', novalidate: true });
  const error = h('p.error', { role: 'alert' });
  const status = h('p.muted', { role: 'status' },
    stored ? `Version ${stored.version}, senast ändrade ${formatDateTime(stored.updatedAt)} av ${stored.updatedBy}.`
      : 'Inga öppettider sparade: enheten visas som "öppettider saknas" för telefonisterna.');
  const schedule = scheduleFields(stored ?? {}, { prefix: 'h' });
  form.append(...schedule.nodes,
    h('div.actions.span', {}, h('button.primary', { type: 'submit' }, 'Spara öppettider')), error);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    let body;
    try {
      body = { ...schedule.read(), holidayOverride: stored?.holidayOverride ?? null };
    } catch (message) {
      error.textContent = String(message);
      return;
    }
    const saved = await save(error, `/api/opening-hours/units/${unitId}`, { method: 'PUT', version, body, fields: schedule.fieldControl });
    if (saved) onSaved(saved);
  });

  return h('section', { 'aria-labelledby': 'hours-title' }, h('h3', { id: 'hours-title' }, 'Öppettider'), status, form);
}

// The week and the dated exceptions as form controls (for a unit or the switchboard): `nodes` go into a form.grid.hours,
// read() answers { weekly, exceptions } or throws a Swedish sentence; fieldControl(field) names the control of an API field.
export function scheduleFields(stored, { prefix }) {
  const exceptions = h('tbody', { id: prefix === 'h' ? 'exceptions' : `${prefix}-exceptions` });
  const addException = ex => exceptions.append(exceptionRow(ex, prefix));
  for (const ex of stored?.exceptions ?? []) addException(ex);
  const help = `${prefix}-hours-help`;
  const inputs = Object.fromEntries(DAYS.map(([day]) => [day, h('input', { id: `${prefix}-${day}`, value: formatRanges(stored?.weekly?.[day] ?? []),
    placeholder: 'Stängt', autocomplete: 'off', 'aria-describedby': help })]));
  const nodes = [
    ...DAYS.flatMap(([day, name]) => [h('label', { for: `${prefix}-${day}` }, name), inputs[day]]),
    h('p.muted.span', { id: help },
      'Skriv tider som 08:00-12:00, 13:00-16:30. Tomt = stängt. 00:00-00:00 = dygnet runt; 16:30-08:00 går över midnatt.'),
    h('h4.span', {}, 'Avvikelser'),
    h('table.list.compact.span', {}, h('caption.sr', {}, 'Avvikande datum'),
      h('thead', {}, h('tr', {}, ['Från', 'Till', 'Stängt', 'Tider', 'Orsak', 'Även helgdag', ''].map(t => h('th', { scope: 'col' }, t)))), exceptions),
    h('p.muted.span', {}, '"Även helgdag": tiderna gäller också på en helgdag eller afton (t.ex. öppet julafton 09-12); annars går helgdagsreglerna före.'),
    h('div.actions.span', {}, h('button', { type: 'button', onclick: () => addException(null) }, 'Lägg till avvikelse')),
  ];
  return {
    nodes,
    read: () => ({
      weekly: Object.fromEntries(DAYS.map(([day, name]) => [day, parseRanges(inputs[day].value, name)])),
      exceptions: [...exceptions.children].map(readException),
    }),
    fieldControl(field) {
      const day = field.match(/^weekly\.(\w+)/);
      if (day) return `${prefix}-${day[1]}`;
      const ex = field.match(/^exceptions\[(\d+)\](?:\.(\w+))?/);
      const row = ex ? exceptions.children[Number(ex[1])] : null;
      if (!row) return null;
      const part = { from: 'from', to: 'to', closed: 'closed', hours: 'hours', reason: 'reason' }[ex[2]] ?? 'from';
      return `${row.dataset.id}-${part}`;
    },
  };
}

function exceptionRow(ex, prefix) {
  const id = `${prefix}-ex-${Math.random().toString(36).slice(2, 8)}`;
  const row = h('tr', { dataset: { id, weekdays: ex?.weekdays ? JSON.stringify(ex.weekdays) : '' } },
    h('td', {}, h('input', { type: 'date', id: `${id}-from`, 'aria-label': 'Från datum', value: ex?.from ?? '' })),
    h('td', {}, h('input', { type: 'date', id: `${id}-to`, 'aria-label': 'Till datum', value: ex?.to ?? '' })),
    h('td', {}, h('input', { type: 'checkbox', id: `${id}-closed`, 'aria-label': 'Stängt hela dagen', checked: ex?.closed ?? true })),
    h('td', {}, h('input', { id: `${id}-hours`, 'aria-label': 'Tider', value: formatRanges(ex?.hours ?? []), size: 14 })),
    h('td', {}, h('input', { id: `${id}-reason`, 'aria-label': 'Orsak', value: ex?.reason ?? '' })),
    h('td', {}, h('input', { type: 'checkbox', id: `${id}-overrides`, 'aria-label': 'Gäller även på helgdag eller afton', checked: ex?.overridesHolidays ?? false })),
    h('td', {}, h('button.small', { type: 'button', 'aria-label': 'Ta bort avvikelsen', onclick: () => row.remove() }, 'Ta bort')));
  return row;
}

function readException(row) {
  const [from, to, closed, hours, reason, overrides] = row.querySelectorAll('input');
  if (!from.value) throw 'Varje avvikelse behöver ett från-datum.';
  return {
    from: from.value, to: to.value || from.value, closed: closed.checked,
    hours: closed.checked ? [] : parseRanges(hours.value, `avvikelsen ${from.value}`),
    reason: reason.value.trim(),
    weekdays: row.dataset.weekdays ? JSON.parse(row.dataset.weekdays) : null,
    overridesHolidays: overrides.checked,
  };
}

export const formatRanges = ranges => (ranges ?? []).map(r => `${r.start}-${r.end}`).join(', ');

export function parseRanges(text, name) {
  return text.split(/[,;]/).map(part => part.trim()).filter(Boolean).map(part => {
    const match = part.match(/^(\d{1,2})[:.]?(\d{2})\s*[-–]\s*(\d{1,2})[:.]?(\d{2})$/);
    if (!match) throw `${name}: "${part}" går inte att läsa; skriv t.ex. 08:00-16:30.`;
    const pad = value => value.padStart(2, '0');
    return { start: `${pad(match[1])}:${match[2]}`, end: `${pad(match[3])}:${match[4]}` };
  });
}
