import { api, ApiError } from './api.js';
import { h, formatDateTime } from './dom.js';
import { save } from './form.js';

const DAYS = [['monday', 'Måndag'], ['tuesday', 'Tisdag'], ['wednesday', 'Onsdag'], ['thursday', 'Torsdag'],
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
  const exceptions = h('tbody', { id: 'exceptions' });

  for (const [day, name] of DAYS) {
    form.append(h('label', { for: `h-${day}` }, name),
      h('input', { id: `h-${day}`, value: formatRanges(stored?.weekly?.[day] ?? []), placeholder: 'Stängt', autocomplete: 'off',
        'aria-describedby': 'hours-help' }));
  }
  const addException = ex => exceptions.append(exceptionRow(ex, exceptions.children.length));
  for (const ex of stored?.exceptions ?? []) addException(ex);

  form.append(h('p.muted.span', { id: 'hours-help' },
    'Skriv tider som 08:00-12:00, 13:00-16:30. Tomt = stängt. 00:00-00:00 = dygnet runt; 16:30-08:00 går över midnatt.'),
  h('h4.span', {}, 'Avvikelser'),
  h('table.list.compact.span', {}, h('caption.sr', {}, 'Avvikande datum'),
    h('thead', {}, h('tr', {}, ['Från', 'Till', 'Stängt', 'Tider', 'Orsak', ''].map(t => h('th', { scope: 'col' }, t)))), exceptions),
  h('div.actions.span', {},
    h('button', { type: 'button', onclick: () => addException(null) }, 'Lägg till avvikelse'),
    h('button.primary', { type: 'submit' }, 'Spara öppettider')), error);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    let body;
    try {
      body = {
        weekly: Object.fromEntries(DAYS.map(([day, name]) => [day, parseRanges(form.querySelector(`#h-${day}`).value, name)])),
        exceptions: [...exceptions.children].map(readException),
        holidayOverride: stored?.holidayOverride ?? null,
      };
    } catch (message) {
      error.textContent = String(message);
      return;
    }
    const saved = await save(error, `/api/opening-hours/units/${unitId}`, { method: 'PUT', version, body });
    if (saved) onSaved(saved);
  });

  return h('section', { 'aria-labelledby': 'hours-title' }, h('h3', { id: 'hours-title' }, 'Öppettider'), status, form);
}

function exceptionRow(ex, index) {
  const id = `ex-${index}-${Math.random().toString(36).slice(2, 7)}`;
  const row = h('tr', { dataset: { weekdays: ex?.weekdays ? JSON.stringify(ex.weekdays) : '', overrides: String(ex?.overridesHolidays ?? false) } },
    h('td', {}, h('input', { type: 'date', id: `${id}-from`, 'aria-label': 'Från datum', value: ex?.from ?? '' })),
    h('td', {}, h('input', { type: 'date', id: `${id}-to`, 'aria-label': 'Till datum', value: ex?.to ?? '' })),
    h('td', {}, h('input', { type: 'checkbox', id: `${id}-closed`, 'aria-label': 'Stängt hela dagen', checked: ex?.closed ?? true })),
    h('td', {}, h('input', { id: `${id}-hours`, 'aria-label': 'Tider', value: formatRanges(ex?.hours ?? []), size: 14 })),
    h('td', {}, h('input', { id: `${id}-reason`, 'aria-label': 'Orsak', value: ex?.reason ?? '' })),
    h('td', {}, h('button.small', { type: 'button', 'aria-label': 'Ta bort avvikelsen', onclick: () => row.remove() }, 'Ta bort')));
  return row;
}

function readException(row) {
  const [from, to, closed, hours, reason] = row.querySelectorAll('input');
  if (!from.value) throw 'Varje avvikelse behöver ett från-datum.';
  return {
    from: from.value, to: to.value || from.value, closed: closed.checked,
    hours: closed.checked ? [] : parseRanges(hours.value, `avvikelsen ${from.value}`),
    reason: reason.value.trim(),
    weekdays: row.dataset.weekdays ? JSON.parse(row.dataset.weekdays) : null,
    overridesHolidays: row.dataset.overrides === 'true',
  };
}

const formatRanges = ranges => ranges.map(r => `${r.start}-${r.end}`).join(', ');

function parseRanges(text, name) {
  return text.split(/[,;]/).map(part => part.trim()).filter(Boolean).map(part => {
    const match = part.match(/^(\d{1,2})[:.]?(\d{2})\s*[-–]\s*(\d{1,2})[:.]?(\d{2})$/);
    if (!match) throw `${name}: "${part}" går inte att läsa; skriv t.ex. 08:00-16:30.`;
    const pad = value => value.padStart(2, '0');
    return { start: `${pad(match[1])}:${match[2]}`, end: `${pad(match[3])}:${match[4]}` };
  });
}
