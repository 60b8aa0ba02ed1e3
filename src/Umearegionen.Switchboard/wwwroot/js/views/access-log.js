import { api } from '../api.js';
import { swedishMessage } from '../errors.js';
import { h, formatDateTime } from '../dom.js';
import { markFieldErrors, clearFieldErrors } from '../form.js';

// The access log's actions in Swedish (the API names them as in Platform/AccessLog.cs's AccessActions).
export const ACTION_NAMES = {
  call_history_viewed: 'Samtalshistorik visad',
  register_extract: 'Registerutdrag',
  register_erasure: 'Radering ur registret',
  register_erasure_refused: 'Radering nekad',
  account_created: 'Konto skapat',
  account_disabled: 'Konto avstängt',
  account_enabled: 'Konto aktiverat',
  account_unlocked: 'Konto upplåst',
  password_reset: 'Lösenord satt',
  role_changed: 'Roll ändrad',
  api_key_created: 'API-nyckel skapad',
  api_key_revoked: 'API-nyckel återkallad',
  login_failed: 'Misslyckad inloggning',
};
const TARGET_NAMES = { account: 'Konto', api_key: 'API-nyckel', call: 'Samtal', phone_number: 'Telefonnummer', name: 'Namn' };
const ROLE_NAMES = { operator: 'telefonist', editor: 'redaktör', manager: 'chef', administrator: 'administratör', none: 'ej inloggad' };
const PAGE = 50;

// Administrators: who opened personal data and who made privileged changes, newest first, with filters and paging.
export default {
  id: 'atkomstlogg',
  title: 'Åtkomstlogg',
  roles: ['administrator'],
  async render(container) {
    const field = (id, label, control) => [h('label', { for: id }, label), control];
    const actions = [h('option', { value: '' }, 'Alla åtgärder'),
      ...Object.entries(ACTION_NAMES).map(([value, text]) => h('option', { value }, text))];
    const error = h('p.error', { role: 'alert' });
    const filters = h('form.grid', { id: 'al-filters', novalidate: true, 'aria-label': 'Filter för åtkomstloggen' },
      field('al-from', 'Från datum', h('input', { id: 'al-from', type: 'date' })),
      field('al-to', 'Till och med datum', h('input', { id: 'al-to', type: 'date' })),
      field('al-action', 'Åtgärd', h('select', { id: 'al-action' }, actions)),
      field('al-number', 'Sökt telefonnummer', h('input', { id: 'al-number', type: 'tel', autocomplete: 'off', 'aria-describedby': 'al-number-hint' })),
      h('p.muted.field-hint', { id: 'al-number-hint' }, 'Visar vem som har sökt på just det numret.'),
      h('button', { type: 'submit' }, 'Visa'),
      error);
    const status = h('p.message', { role: 'status' });
    const tbody = h('tbody');
    const more = h('button', { type: 'button', hidden: true }, 'Visa äldre');
    container.replaceChildren(
      h('h2', {}, 'Åtkomstlogg'),
      h('p.muted', {}, 'Vem som har öppnat personuppgifter, gjort ändringar av konton och nycklar, och misslyckade inloggningar. Nyast först.'),
      filters, status,
      h('table.list.compact', { id: 'access-log' },
        h('caption.sr', {}, 'Händelser i åtkomstloggen, nyast först'),
        h('thead', {}, h('tr', {}, ['Tid', 'Vem', 'Åtgärd', 'Avser', 'Detaljer'].map(t => h('th', { scope: 'col' }, t)))),
        tbody),
      more);

    const names = new Map();
    try {
      for (const account of await api('/api/accounts')) names.set(account.id, account.username);
    } catch { /* the ids are shown instead */ }

    let query = null;
    let before = null;
    const load = async (append) => {
      const params = new URLSearchParams({ ...query, limit: String(PAGE) });
      if (append && before) params.set('before', before);
      error.textContent = '';
      clearFieldErrors(filters);
      let entries;
      try {
        entries = await api(`/api/access-log?${params}`);
      } catch (e) {
        error.textContent = swedishMessage(e);
        markFieldErrors(filters, e, { from: 'al-from', to: 'al-to', action: 'al-action', number: 'al-number' });
        return;
      }
      const rows = entries.map(entry => row(entry, names));
      if (append) tbody.append(...rows); else tbody.replaceChildren(...rows);
      before = entries.length ? entries[entries.length - 1].id : before;
      more.hidden = entries.length < PAGE;
      const shown = tbody.children.length;
      status.textContent = shown === 0 ? 'Inga händelser matchar filtret.' : `${shown} händelser visas${more.hidden ? '.' : ' – det finns äldre.'}`;
      if (append && rows.length) rows[0].querySelector('td')?.focus();
    };

    filters.addEventListener('submit', event => {
      event.preventDefault();
      query = {};
      const from = filters.querySelector('#al-from').value;
      const to = filters.querySelector('#al-to').value;
      // Whole days in Swedish time: from the start of the first to the start of the day after the last.
      if (from) query.from = new Date(`${from}T00:00`).toISOString();
      if (to) {
        const end = new Date(`${to}T00:00`);
        end.setDate(end.getDate() + 1);
        query.to = end.toISOString();
      }
      const action = filters.querySelector('#al-action').value;
      if (action) query.action = action;
      const number = filters.querySelector('#al-number').value.trim();
      if (number) query.number = number;
      before = null;
      load(false);
    });
    more.addEventListener('click', () => load(true));
    query = {};
    await load(false);
    return {};
  },
};

function row(entry, names) {
  const target = entry.targetId
    ? `${TARGET_NAMES[entry.targetKind] ?? entry.targetKind} ${names.get(entry.targetId) ?? entry.targetId}`
    : entry.subjectSearched ? `Sökt ${TARGET_NAMES[entry.targetKind]?.toLowerCase() ?? entry.targetKind}` : (TARGET_NAMES[entry.targetKind] ?? entry.targetKind);
  const details = [entry.detail, entry.recordCount !== null && entry.recordCount !== undefined ? `${entry.recordCount} poster` : null]
    .filter(Boolean).join(' · ');
  return h('tr', {},
    h('td', { tabindex: '-1' }, h('time', { datetime: entry.occurredAt }, formatDateTime(entry.occurredAt))),
    h('td', {}, `${entry.actorName} (${ROLE_NAMES[entry.actorRole] ?? entry.actorRole})`),
    h('td', {}, ACTION_NAMES[entry.action] ?? entry.action),
    h('td', {}, target),
    h('td', {}, details || '–'));
}
