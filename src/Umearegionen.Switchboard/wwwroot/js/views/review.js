import { api } from '../api.js';
import { h, formatDateTime, loadMunicipalities } from '../dom.js';
import { problemText } from '../form.js';
import { uploadCsv } from '../files.js';

// Entries overdue for review, each marked reviewed with one button.
export const overdue = {
  id: 'granskning',
  title: 'Att granska',
  roles: ['editor', 'administrator'],
  async render(container, { user }) {
    const rows = h('tbody', { id: 'overdue' });
    const message = h('p', { role: 'status' });
    container.append(h('h2', {}, 'Poster som inte granskats i tid'), message,
      h('table.list', {}, h('caption.sr', {}, 'Försenade granskningar'),
        h('thead', {}, h('tr', {}, ['Typ', 'Namn', 'Granskad senast', 'Skulle granskats', ''].map(t => h('th', { scope: 'col' }, t)))), rows));
    const load = async () => {
      const query = user.municipalityCode ? `?municipality=${user.municipalityCode}` : '';
      const entries = await api(`/api/directory/overdue${query}`);
      message.textContent = entries.length ? `${entries.length} poster behöver granskas.` : 'Allt är granskat i tid.';
      rows.replaceChildren(...entries.map(e => h('tr', {},
        h('td', {}, e.kind === 'person' ? 'Person' : 'Enhet'), h('td', {}, e.name),
        h('td', {}, formatDateTime(e.reviewedAt)), h('td', {}, formatDateTime(e.dueAt)),
        h('td', {}, h('button.small', { type: 'button', 'aria-label': `Markera ${e.name} som granskad`, onclick: async () => {
          try { await api(`/api/directory/${e.kind === 'person' ? 'people' : 'units'}/${e.id}/review`, { method: 'POST' }); }
          catch (error) { message.textContent = problemText(error); return; }
          await load();
        } }, 'Granskad')))));
    };
    window.addEventListener('resync', load);
    await load();
    return { dispose() { window.removeEventListener('resync', load); } };
  },
};

// The CSV import: all rows or none, with the service's per-row report when it refuses.
export const csvImport = {
  id: 'import',
  title: 'Import',
  roles: ['editor', 'administrator'],
  async render(container, { user }) {
    const municipalities = (await loadMunicipalities()).filter(m => m.servedBySwitchboard);
    const report = h('div', { id: 'import-report', role: 'status', 'aria-live': 'polite' });
    const form = h('form.grid', { novalidate: true },
      user.municipalityCode ? null : [h('label', { for: 'import-municipality' }, 'Kommun'),
        h('select', { id: 'import-municipality' }, municipalities.map(m => h('option', { value: m.code }, m.name)))],
      h('label', { for: 'import-file' }, 'CSV-fil'), h('input', { id: 'import-file', type: 'file', accept: '.csv,text/csv' }),
      h('button.primary', { type: 'submit' }, 'Importera'));
    container.append(h('h2', {}, 'Importera enheter och personer'),
      h('p', {}, 'Filen läses i sin helhet: antingen importeras alla rader eller ingen. Kolumner: type, key, parent, name, level, title, phone, email, address m.fl. (se dokumentationen).'),
      form, report);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const file = form.querySelector('#import-file').files[0];
      if (!file) { report.replaceChildren(h('p.error', {}, 'Välj en fil först.')); return; }
      const code = user.municipalityCode ?? form.querySelector('#import-municipality').value;
      const body = await uploadCsv(`/api/directory/municipalities/${code}/import`, file, report);
      if (body) report.replaceChildren(h('p.ok', {}, `Klart: ${body.unitsCreated} enheter och ${body.peopleCreated} personer importerades.`));
    });
    return {};
  },
};
