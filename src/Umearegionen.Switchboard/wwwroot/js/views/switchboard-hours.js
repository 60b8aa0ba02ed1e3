import { api, ApiError } from '../api.js';
import * as hub from '../hub.js';
import { h, formatDateTime, formatTime } from '../dom.js';
import { save } from '../form.js';
import { historyList } from '../history.js';
import { scheduleFields, DAYS, formatRanges } from '../hours-editor.js';
import { policyFields, describeTreatment, SPECIAL_DAYS, changedTreatments } from '../holiday-policy.js';
import { swedishMessage } from '../errors.js';

const WHEN_CLOSED = [['none', 'Inget särskilt (öppettiderna)'], ['on-call', 'Hänvisa till jour (telefon)'], ['e-service', 'Hänvisa till e-tjänst'],
  ['callback', 'Återuppringning'], ['message', 'Meddelande till den som ringer']];
const WEEKDAY = new Intl.DateTimeFormat('sv-SE', { weekday: 'long', timeZone: 'UTC' });
const SHORT_DATE = new Intl.DateTimeFormat('sv-SE', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const isoDate = date => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 10);

// The switchboard's own hours: open now or not, the week as it falls (holidays and exceptions included), the rules and
// their history. Administrators change them; operators and managers read them.
export default {
  id: 'vaxeln',
  title: 'Växelns öppettider',
  roles: ['operator', 'manager', 'administrator'],
  async render(container, { user }) {
    const admin = user.role === 'administrator';
    let stored = null;
    let weekOf = isoDate(new Date());
    const now = h('section.panel.switchboard-now', { id: 'sb-status', 'aria-live': 'polite' });
    const week = h('section.panel', { 'aria-labelledby': 'sb-week-title' });
    const rules = h('section.panel', { 'aria-labelledby': 'sb-rules-title' });
    const history = h('section.panel', { 'aria-labelledby': 'sb-history-title' });
    container.append(h('div.switchboard-hours', {}, h('h2', {}, 'Växelns öppettider'),
      h('div.switchboard-columns', {}, now, week, history), rules));

    async function loadStatus() {
      const s = await api('/api/opening-hours/switchboard/status');
      const text = s.status === 'open'
        ? `Öppet nu${s.closesAt ? ` – stänger ${formatDateTime(s.closesAt)}` : ''}`
        : s.status === 'closed' ? `Stängt nu${s.opensAt ? ` – öppnar ${formatDateTime(s.opensAt)}` : ''}` : 'Öppettiderna är inte inlagda';
      now.replaceChildren(h('h3', {}, 'Just nu'),
        h(`p.badge.${s.status === 'open' ? (s.closesSoon ? 'warn' : 'ok') : s.status === 'closed' ? 'bad' : 'muted'}`, { id: 'sb-now' }, text),
        ...(s.reason ? [h('p', {}, `Orsak: ${s.reason}`)] : []),
        h('p.muted', {}, `Kontrollerat ${formatTime(s.at)}`));
    }

    async function loadWeek() {
      const move = days => { const d = new Date(`${weekOf}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + days); weekOf = d.toISOString().slice(0, 10); loadWeek(); };
      const picker = h('input', { type: 'date', id: 'sb-week-date', value: weekOf, onchange: e => { if (e.target.value) { weekOf = e.target.value; loadWeek(); } } });
      const head = [h('h3', { id: 'sb-week-title' }, 'Veckan'),
        h('div.search-row', {}, h('button', { type: 'button', onclick: () => move(-7) }, 'Förra veckan'),
          h('label', { for: 'sb-week-date' }, 'Vecka med'), picker, h('button', { type: 'button', onclick: () => move(7) }, 'Nästa vecka'))];
      try {
        const days = await api(`/api/opening-hours/switchboard/weeks/${weekOf}`);
        week.replaceChildren(...head, h('table.list.compact', { id: 'sb-week' }, h('caption.sr', {}, 'Växelns öppettider veckan'),
          h('thead', {}, h('tr', {}, ['Dag', 'Tider', 'Avvikelse'].map(t => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, days.map(d => h('tr', { dataset: { date: d.date, deviates: String(d.deviates) } },
            h('th', { scope: 'row' }, `${WEEKDAY.format(new Date(`${d.date}T00:00:00Z`))} ${SHORT_DATE.format(new Date(`${d.date}T00:00:00Z`))}`),
            h('td', {}, d.intervals.length ? d.intervals.map(i => `${formatTime(i.start)}–${formatTime(i.end)}`).join(', ') : 'Stängt'),
            h('td', {}, d.reason ?? ''))))));
      } catch (e) {
        week.replaceChildren(...head, h('p.muted', { id: 'sb-week' }, swedishMessage(e)));
      }
    }

    async function loadRules() {
      try { stored = await api('/api/opening-hours/switchboard'); } catch (e) { if (!(e instanceof ApiError) || e.status !== 404) throw e; stored = null; }
      const meta = h('p.muted', { id: 'sb-version' }, stored
        ? `Version ${stored.version}, senast ändrade ${formatDateTime(stored.updatedAt)} av ${stored.updatedBy}.`
        : 'Växelns öppettider är inte inlagda ännu.');
      rules.replaceChildren(h('h3', { id: 'sb-rules-title' }, admin ? 'Ändra öppettiderna' : 'Regler'), meta,
        admin ? editor() : readOnly());
    }

    function readOnly() {
      if (!stored) return h('p.muted', {}, 'En administratör lägger in dem.');
      const r = stored.rules;
      return h('div', { id: 'sb-rules' },
        h('table.list.compact', {}, h('caption', {}, 'Vanlig vecka'),
          h('tbody', {}, DAYS.map(([day, name]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, formatRanges(r.weekly[day]) || 'Stängt'))))),
        h('table.list.compact', {}, h('caption', {}, 'Helgdagar och aftnar'),
          h('tbody', {}, SPECIAL_DAYS.map(([key, name]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, describeTreatment(r.holidays[key])))))),
        r.exceptions.length ? h('table.list.compact', {}, h('caption', {}, 'Avvikelser'),
          h('tbody', {}, r.exceptions.map(ex => h('tr', {}, h('th', { scope: 'row' }, ex.from === ex.to ? ex.from : `${ex.from} – ${ex.to}`),
            h('td', {}, ex.closed ? 'Stängt' : formatRanges(ex.hours)), h('td', {}, ex.reason))))) : null);
    }

    function editor() {
      const r = stored?.rules;
      const form = h('form.grid.hours', { id: 'sb-form', novalidate: true });
      const error = h('p.error', { id: 'sb-error', role: 'alert' });
      const saved = h('p.ok', { role: 'status' });
      const schedule = scheduleFields(r ?? {}, { prefix: 'sb' });
      const policy = policyFields(r?.holidays, { prefix: 'sb-hol' });
      const closedKind = h('select', { id: 'sb-closed-kind' }, WHEN_CLOSED.map(([v, t]) => h('option', { value: v, selected: v === (r?.whenClosed?.kind ?? 'none') }, t)));
      const input = (id, attrs) => h('input', { id, autocomplete: 'off', ...attrs });
      const closedPhone = input('sb-closed-phone', { type: 'tel', value: r?.whenClosed?.phone ?? '' });
      const closedUrl = input('sb-closed-url', { type: 'url', value: r?.whenClosed?.url ?? '' });
      const closedText = h('textarea', { id: 'sb-closed-text', rows: 2 }, r?.whenClosed?.text ?? '');
      form.append(...schedule.nodes,
        h('h4.span', {}, 'Helgdagar och aftnar'), h('div.span', {}, policy.element),
        h('h4.span', {}, 'När växeln är stängd'),
        h('label', { for: 'sb-closed-kind' }, 'Erbjud den som ringer'), closedKind,
        h('label', { for: 'sb-closed-phone' }, 'Jourtelefon'), closedPhone,
        h('label', { for: 'sb-closed-url' }, 'Länk till e-tjänst'), closedUrl,
        h('label', { for: 'sb-closed-text' }, 'Meddelande'), closedText,
        h('div.actions.span', {}, h('button.primary', { type: 'submit' }, 'Spara växelns öppettider'),
          h('button', { type: 'button', onclick: () => loadRules() }, 'Ladda om')), error, saved);
      const FIELDS = { 'whenClosed.kind': 'sb-closed-kind', 'whenClosed.phone': 'sb-closed-phone', 'whenClosed.url': 'sb-closed-url', 'whenClosed.text': 'sb-closed-text' };
      form.addEventListener('submit', async event => {
        event.preventDefault();
        let body;
        try {
          const text = v => v.value.trim() || null;
          body = { ...schedule.read(), holidays: policy.read(),
            whenClosed: { kind: closedKind.value, phone: text(closedPhone), url: text(closedUrl), text: text(closedText) } };
        } catch (message) { error.textContent = String(message); return; }
        const result = await save(error, '/api/opening-hours/switchboard', { method: 'PUT', version: stored?.version ?? 0, body,
          fields: field => FIELDS[field] ?? (field.startsWith('holidays') ? policy.fieldControl(field) : schedule.fieldControl(field)) });
        if (!result) return;
        await refresh();
        rules.querySelector('.ok').textContent = `Sparat: version ${result.version}.`;
      });
      return form;
    }

    async function loadHistory() {
      const list = await historyList(['/api/opening-hours/switchboard/history'], { id: 'sb-history', describe: describeChange });
      history.replaceChildren(h('h3', { id: 'sb-history-title' }, 'Ändringar'), list);
    }

    const refresh = () => Promise.all([loadStatus(), loadWeek(), loadRules(), loadHistory()]);
    const off = hub.on('OpeningHoursChanged', change => { if (change.kind === 'switchboard') { loadStatus(); loadWeek(); loadHistory(); if (!admin) loadRules(); } });
    const statusTimer = setInterval(loadStatus, 60_000);
    window.addEventListener('resync', refresh);
    await refresh();
    return { dispose() { off(); clearInterval(statusTimer); window.removeEventListener('resync', refresh); } };
  },
};

function describeChange(entry) {
  const before = entry.before?.rules, after = entry.after?.rules;
  if (!after) return '';
  if (!before) return 'första versionen';
  const parts = [];
  const changedDays = DAYS.filter(([day]) => JSON.stringify(before?.weekly?.[day]) !== JSON.stringify(after.weekly?.[day])).map(([, name]) => name.toLowerCase());
  if (changedDays.length) parts.push(`veckan (${changedDays.join(', ')})`);
  if (JSON.stringify(before?.exceptions) !== JSON.stringify(after.exceptions)) parts.push('avvikelser');
  parts.push(...changedTreatments(before?.holidays, after.holidays));
  if (JSON.stringify(before?.whenClosed) !== JSON.stringify(after.whenClosed)) parts.push('när stängd');
  return parts.join('; ');
}
