import { h } from '../dom.js';
import { field, valueOf, save } from '../form.js';

const WHEN_CLOSED = [['none', 'Inget särskilt'], ['on-call', 'Jour (telefon)'], ['e-service', 'E-tjänst (länk)'],
  ['callback', 'Återuppringning'], ['message', 'Ta meddelande']];

// The API's field names and the form's controls, so a field error is shown beside its field.
const UNIT_FIELDS = { name: 'u-name', level: 'u-level', parentId: 'u-parent', phone: 'u-phone', email: 'u-email', visitingAddress: 'u-address',
  topics: 'u-topics', eServices: 'u-eservices', 'whenClosed.kind': 'u-closed-kind', 'whenClosed.phone': 'u-closed-phone',
  'whenClosed.url': 'u-closed-url', 'whenClosed.text': 'u-closed-text' };
const fieldControl = field => UNIT_FIELDS[field] ?? (/^(topics|eServices)\[/.test(field) ? UNIT_FIELDS[field.split('[')[0]] : null);

// An e-service as the form's lines: "namn | länk", then its steps numbered ("1. …").
const eServiceLines = e => [`${e.name} | ${e.url}`, ...(e.steps ?? []).map((step, i) => `${i + 1}. ${step}`)].join('\n');

// The form's lines back: a numbered line ("1. …", "2) …") is a step of the e-service above it.
export function parseEServices(text) {
  const services = [];
  for (const line of text.split('\n').map(l => l.trim()).filter(Boolean)) {
    const step = /^\d+[.)]\s*(.*)$/.exec(line);
    if (step && services.length) {
      (services.at(-1).steps ??= []).push(step[1]);
      continue;
    }
    const [name, url] = line.split('|').map(p => p.trim());
    services.push({ name, url: url ?? '' });
  }
  return services;
}

// A unit's directory details; saving sends the version it is based on (If-Match).
export function unitForm(unit, { code, units, onSaved }) {
  const error = h('p.error', { role: 'alert' });
  const parents = [['', '(ingen – högsta nivån)'], ...units.filter(u => u.id !== unit?.id).map(u => [u.id, u.name])];
  const form = h('form.grid', { id: 'unit-form', novalidate: true },
    ...field('u-name', 'Namn', { value: unit?.name }),
    ...field('u-level', 'Nivå', { value: unit?.level ?? 'unit', options: [['administration', 'Förvaltning'], ['department', 'Avdelning'], ['unit', 'Enhet']] }),
    ...field('u-parent', 'Ingår i', { value: unit?.parentId ?? '', options: parents }),
    ...field('u-phone', 'Telefon', { type: 'tel', value: unit?.phone }),
    ...field('u-email', 'E-post', { type: 'email', value: unit?.email }),
    ...field('u-address', 'Besöksadress', { value: unit?.visitingAddress }),
    ...field('u-topics', 'Ämnen (kommaseparerade)', { value: unit?.topics.join(', ') }),
    ...field('u-eservices', 'E-tjänster (en per rad: namn | länk; steg att läsa upp på raderna under, som "1. Logga in med BankID")',
      { rows: 4, value: unit?.eServices.map(eServiceLines).join('\n') }),
    ...field('u-closed-kind', 'När stängt', { value: unit?.whenClosed?.kind ?? 'none', options: WHEN_CLOSED }),
    ...field('u-closed-phone', 'Jourtelefon', { type: 'tel', value: unit?.whenClosed?.phone }),
    ...field('u-closed-url', 'Länk till e-tjänst', { type: 'url', value: unit?.whenClosed?.url }),
    ...field('u-closed-text', 'Att säga till den som ringer', { rows: 2, value: unit?.whenClosed?.text }),
    h('div.actions.span', {}, h('button.primary', { type: 'submit' }, unit ? 'Spara ändringar' : 'Skapa enhet'),
      unit ? h('button', { type: 'button', onclick: remove }, 'Ta bort enheten') : null,
      unit ? h('button', { type: 'button', onclick: review }, 'Markera granskad') : null),
    error);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const v = id => valueOf(form, id);
    const body = {
      municipalityCode: code, parentId: v('u-parent'), externalKey: unit?.externalKey ?? null, level: v('u-level'), name: v('u-name'),
      phone: v('u-phone'), email: v('u-email'), visitingAddress: v('u-address'),
      topics: (v('u-topics') ?? '').split(',').map(t => t.trim()).filter(Boolean),
      eServices: parseEServices(v('u-eservices') ?? ''),
      whenClosed: { kind: v('u-closed-kind'), phone: v('u-closed-phone'), url: v('u-closed-url'), text: v('u-closed-text') },
    };
    const result = await save(error, unit ? `/api/directory/units/${unit.id}` : '/api/directory/units',
      { method: unit ? 'PUT' : 'POST', version: unit?.version, body, fields: fieldControl });
    if (result) await onSaved(result, 'Sparat.');
  });

  async function remove() {
    if (!confirm(`Ta bort ${unit.name}?`)) return;
    const result = await save(error, `/api/directory/units/${unit.id}`, { method: 'DELETE', version: unit.version });
    if (result !== null || !error.textContent) await onSaved(null, `${unit.name} togs bort.`);
  }
  async function review() {
    const result = await save(error, `/api/directory/units/${unit.id}/review`, { method: 'POST' });
    if (result !== null || !error.textContent) await onSaved(unit, 'Markerad som granskad.');
  }
  return form;
}
