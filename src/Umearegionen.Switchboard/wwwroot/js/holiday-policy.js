import { api } from './api.js';
import { h } from './dom.js';
import { formatRanges, parseRanges } from './hours-editor.js';

// A holiday policy (a municipality's, or the switchboard's own): how public holidays, each eve and the day before a
// holiday are treated – as usual, closed, closing early, or with hours of their own (docs/opening-hours.md).

export const SPECIAL_DAYS = [
  ['publicHoliday', 'Helgdagar', 'Röda dagar: nyårsdagen, trettondedag jul, långfredagen, påskdagen, annandag påsk, första maj, Kristi himmelsfärdsdag, nationaldagen, pingstdagen, midsommardagen, alla helgons dag, juldagen, annandag jul'],
  ['paskafton', 'Påskafton'],
  ['midsommarafton', 'Midsommarafton'],
  ['julafton', 'Julafton'],
  ['nyarsafton', 'Nyårsafton'],
  ['dayBeforeHoliday', 'Dag före helgdag', 'Vardagen före en helgdag, t.ex. dagen före Kristi himmelsfärdsdag'],
];

const TREATMENTS = [['normal', 'Som vanligt'], ['closed', 'Stängt'], ['closeEarly', 'Stänger tidigare'], ['hours', 'Egna tider']];

/** A treatment in words: "Stängt", "Stänger 15:00", "Öppet 09:00–12:00", "Som vanligt". */
export function describeTreatment(t) {
  switch (t?.kind) {
    case 'closed': return 'Stängt';
    case 'closeEarly': return `Som vanligt, men stänger senast ${t.at ?? '?'}`;
    case 'hours': return t.hours?.length ? `Öppet ${t.hours.map(r => `${r.start}–${r.end}`).join(', ')}` : 'Egna tider (inga angivna)';
    case 'normal': return 'Som vanligt (veckans tider)';
    default: return 'Okänt';
  }
}

/** The treatment a calendar day gets under a policy (as HolidayPolicy.For in the service). */
export function treatmentFor(policy, day) {
  if (day.kind === 'publicHoliday') return policy.publicHoliday;
  if (day.kind === 'dayBeforeHoliday') return policy.dayBeforeHoliday;
  return policy[day.eveKind] ?? policy[day.key];
}

/**
 * The six treatments as rows of a table, each with its controls; read() answers the policy or throws a Swedish sentence.
 * Controls are named `${prefix}-${day}-kind|at|hours`; fieldControl(field) maps an API field ("julafton.hours",
 * "holidays.julafton.at") to its control, so field errors are shown beside it. onChange runs after every edit.
 */
export function policyFields(policy, { prefix, onChange = () => {} }) {
  const rows = SPECIAL_DAYS.map(([key, name, help]) => {
    const t = policy?.[key] ?? { kind: 'normal' };
    const id = `${prefix}-${key}`;
    const kind = h('select', { id: `${id}-kind`, 'aria-label': `${name}: hantering` },
      TREATMENTS.map(([value, text]) => h('option', { value, selected: value === t.kind }, text)));
    const at = h('input', { id: `${id}-at`, 'aria-label': `${name}: stänger kl.`, value: t.at ?? '15:00', placeholder: '15:00', inputmode: 'numeric', size: 6, autocomplete: 'off' });
    const hours = h('input', { id: `${id}-hours`, 'aria-label': `${name}: öppettider`, value: formatRanges(t.hours ?? []),
      placeholder: '09:00-12:00', autocomplete: 'off', size: 16 });
    const atCell = h('span', {}, at), hoursCell = h('span', {}, hours);
    const show = () => { atCell.hidden = kind.value !== 'closeEarly'; hoursCell.hidden = kind.value !== 'hours'; };
    const cells = h('td', {}, atCell, hoursCell);
    kind.addEventListener('change', () => { show(); onChange(); });
    at.addEventListener('input', onChange);
    hours.addEventListener('input', onChange);
    show();
    return {
      key, name,
      element: h('tr', { dataset: { day: key } },
        h('th', { scope: 'row' }, h('label', { for: kind.id }, name), help ? h('span.muted.small', {}, help) : null),
        h('td', {}, kind), cells),
      read() {
        switch (kind.value) {
          case 'closeEarly': {
            const m = at.value.trim().match(/^(\d{1,2})[:.]?(\d{2})$/);
            if (at.value.trim() && !m) throw `${name}: "${at.value.trim()}" är ingen tid; skriv t.ex. 15:00.`;
            return { kind: 'closeEarly', at: m ? `${m[1].padStart(2, '0')}:${m[2]}` : null };
          }
          case 'hours': return { kind: 'hours', hours: parseRanges(hours.value, name) };
          default: return { kind: kind.value };
        }
      },
    };
  });
  const element = h('table.list.policy', { id: `${prefix}-policy` },
    h('caption.sr', {}, 'Helgdagsregler'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Dag'), h('th', { scope: 'col' }, 'Hantering'), h('th', { scope: 'col' }, 'Tid'))),
    h('tbody', {}, rows.map(r => r.element)));
  return {
    element,
    read: () => Object.fromEntries(rows.map(r => [r.key, r.read()])),
    fieldControl(field) {
      const m = field.replace(/^(holidays|holidayOverride)\./, '').match(/^(\w+)(?:\.(\w+))?/);
      if (!m || !rows.some(r => r.key === m[1])) return null;
      return `${prefix}-${m[1]}-${m[2] === 'at' ? 'at' : m[2] === 'hours' ? 'hours' : 'kind'}`;
    },
  };
}

const dayName = new Intl.DateTimeFormat('sv-SE', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const KIND_NAMES = { publicHoliday: 'Helgdag', eve: 'Afton', dayBeforeHoliday: 'Dag före helgdag' };

/** The special days from today on, for about the coming year (this year's calendar and next year's). */
export async function comingSpecialDays(today = new Date(), count = 16) {
  const iso = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  const year = Number(iso.slice(0, 4));
  const calendars = await Promise.all([year, year + 1].map(y => api(`/api/opening-hours/calendar/${y}`)));
  return calendars.flatMap(c => c.days).filter(d => d.date >= iso).slice(0, count);
}

/** A table of the coming special days and what a policy means for each. */
export function previewTable(days, policy, { id, caption }) {
  return h('table.list.compact', { id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ['Datum', 'Dag', 'Slag', 'Enligt reglerna'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, days.map(day => {
      const t = treatmentFor(policy, day);
      return h('tr', { dataset: { key: day.key, date: day.date } },
        h('td.num', {}, dayName.format(new Date(`${day.date}T00:00:00Z`))), h('td', {}, day.name),
        h('td', {}, KIND_NAMES[day.kind] ?? day.kind), h('td', { dataset: { kind: t?.kind } }, describeTreatment(t)));
    })));
}

/** The service's default policy, which a municipality has until it stores its own (HolidayPolicy.Default). */
export const DEFAULT_POLICY = { publicHoliday: { kind: 'closed' }, paskafton: { kind: 'closed' }, midsommarafton: { kind: 'closed' },
  julafton: { kind: 'closed' }, nyarsafton: { kind: 'closed' }, dayBeforeHoliday: { kind: 'closeEarly', at: '15:00' } };

/** Which of the six treatments differ between two stored policies, in Swedish (for the change history). */
export function changedTreatments(before, after) {
  return SPECIAL_DAYS.filter(([key]) => describeTreatment(before?.[key]) !== describeTreatment(after?.[key]))
    .map(([key, name]) => `${name}: ${before?.[key] ? `${describeTreatment(before[key])} → ` : ''}${describeTreatment(after?.[key])}`);
}
