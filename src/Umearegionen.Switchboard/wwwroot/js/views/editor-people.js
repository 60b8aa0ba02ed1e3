import { api } from '../api.js';
import { h, formatDateTime } from '../dom.js';
import { formatPhone } from '../phone.js';
import { field, valueOf, save, localDateTimeValue } from '../form.js';

// The people of one unit, each editable (including referral), and a form for a new person.
export async function peopleEditor(unit, { onChanged }) {
  const people = await api(`/api/directory/people?unit=${unit.id}`);
  people.sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  const editing = h('div', { id: 'person-edit' });
  const open = person => { editing.replaceChildren(h('h4', {}, person ? person.name : 'Ny person'), personForm(person, unit, onChanged)); editing.querySelector('input')?.focus(); };
  return h('section', {},
    h('table.list.compact', {}, h('caption.sr', {}, `Personer på ${unit.name}`),
      h('thead', {}, h('tr', {}, ['Namn', 'Titel', 'Telefon', 'Hänvisning'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, people.map(p => h('tr', {},
        h('td', {}, h('button.link', { type: 'button', onclick: () => open(p) }, p.name)),
        h('td', {}, p.title ?? ''), h('td', {}, formatPhone(p.phone)),
        h('td', {}, p.referral && new Date(p.referral.until) > new Date() ? `till ${formatDateTime(p.referral.until)}` : '–'))))),
    people.length ? null : h('p.muted', {}, 'Inga personer på enheten.'),
    h('button', { type: 'button', onclick: () => open(null) }, 'Ny person'), editing);
}

const PERSON_FIELDS = { name: 'p-name', title: 'p-title', phone: 'p-phone', email: 'p-email', 'referral.until': 'p-until',
  'referral.reason': 'p-reason', 'referral.referTo': 'p-refer', 'referral.referToPhone': 'p-refer-phone' };

function personForm(person, unit, onChanged) {
  const error = h('p.error', { role: 'alert' });
  const r = person?.referral;
  const form = h('form.grid', { novalidate: true },
    ...field('p-name', 'Namn', { value: person?.name }), ...field('p-title', 'Titel', { value: person?.title }),
    ...field('p-phone', 'Direktnummer', { type: 'tel', value: person?.phone }), ...field('p-email', 'E-post', { type: 'email', value: person?.email }),
    ...field('p-until', 'Hänvisad till och med', { type: 'datetime-local', value: localDateTimeValue(r?.until) }),
    ...field('p-reason', 'Orsak', { value: r?.reason }), ...field('p-refer', 'Hänvisa till', { value: r?.referTo }),
    ...field('p-refer-phone', 'Hänvisa till telefon', { type: 'tel', value: r?.referToPhone }),
    h('div.actions.span', {}, h('button.primary', { type: 'submit' }, person ? 'Spara person' : 'Lägg till person'),
      person ? h('button', { type: 'button', onclick: remove }, 'Ta bort personen') : null), error);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const v = id => valueOf(form, id);
    const until = v('p-until');
    const body = { unitId: unit.id, externalKey: person?.externalKey ?? null, name: v('p-name'), title: v('p-title'), phone: v('p-phone'),
      email: v('p-email'), referral: until ? { until: new Date(until).toISOString(), reason: v('p-reason'), referTo: v('p-refer'), referToPhone: v('p-refer-phone') } : null };
    const saved = await save(error, person ? `/api/directory/people/${person.id}` : '/api/directory/people',
      { method: person ? 'PUT' : 'POST', version: person?.version, body, fields: PERSON_FIELDS });
    if (saved) await onChanged();
  });
  async function remove() {
    if (!confirm(`Ta bort ${person.name}?`)) return;
    await save(error, `/api/directory/people/${person.id}`, { method: 'DELETE', version: person.version });
    if (!error.textContent) await onChanged();
  }
  return form;
}
