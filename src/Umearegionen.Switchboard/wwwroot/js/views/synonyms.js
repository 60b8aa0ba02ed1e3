import { api } from '../api.js';
import * as hub from '../hub.js';
import { h, formatDateTime, loadMunicipalities } from '../dom.js';
import { field, valueOf, save, problemText } from '../form.js';
import { downloadFile, uploadCsv } from '../files.js';

// Synonyms for the operators' search (docs/directory.md, "Synonyms"): a word callers use and what the directory
// calls it. Editors keep their municipality's; administrators also the shared ones.
export default {
  id: 'synonymer',
  title: 'Synonymer',
  roles: ['editor', 'administrator'],
  async render(container, { user }) {
    const municipalities = (await loadMunicipalities()).filter(m => m.servedBySwitchboard);
    let code = user.municipalityCode ?? 'shared';
    const rows = h('tbody', { id: 'synonyms' });
    const status = h('p.muted', { id: 'synonyms-status', role: 'status' });
    const listError = h('p.error', { role: 'alert' });
    const picker = user.municipalityCode ? null : h('select', { id: 'synonyms-municipality', onchange: e => { code = e.target.value; load(); } },
      [h('option', { value: 'shared' }, 'Gemensamma (alla kommuner)'), ...municipalities.map(m => h('option', { value: m.code }, m.name))]);

    const error = h('p.error', { role: 'alert' });
    const form = h('form.grid', { id: 'synonym-form', novalidate: true },
      ...field('s-word', 'Ord som den som ringer säger'),
      ...field('s-means', 'Betyder (ämnet eller ordet i katalogen)'),
      h('div.actions.span', {}, h('button.primary', { type: 'submit' }, 'Lägg till synonymen')),
      error);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const body = { municipalityCode: code === 'shared' ? null : code, word: valueOf(form, 's-word'), means: valueOf(form, 's-means') };
      const saved = await save(error, '/api/directory/synonyms', { method: 'POST', body, fields: { word: 's-word', means: 's-means', municipalityCode: 's-word' } });
      if (saved) {
        form.reset();
        await load();
        status.textContent = `${saved.word} betyder nu också ${saved.means}.`;
      }
    });

    // The same list as a file (docs/directory.md, "Synonyms as CSV"): an import only adds, all rows or none.
    const fileStatus = h('div', { id: 'synonyms-file-report', role: 'status', 'aria-live': 'polite' });
    const fileInput = h('input', { id: 'synonyms-file', type: 'file', accept: '.csv,text/csv' });
    const files = h('form.grid', { id: 'synonyms-files', novalidate: true },
      h('label', { for: 'synonyms-file' }, 'CSV-fil med kolumnerna word och means'), fileInput,
      h('div.actions.span', {},
        h('button.primary', { type: 'submit' }, 'Importera synonymer'),
        h('button', { type: 'button', onclick: exportFile }, 'Exportera som CSV')),
      fileStatus);
    files.addEventListener('submit', async event => {
      event.preventDefault();
      const file = fileInput.files[0];
      if (!file) { fileStatus.replaceChildren(h('p.error', {}, 'Välj en fil först.')); return; }
      const body = await uploadCsv(`/api/directory/synonyms/import/${code}`, file, fileStatus);
      if (!body) return;
      fileStatus.replaceChildren(h('p.ok', {}, `Klart: ${body.created} synonymer lades till, ${body.unchanged} fanns redan.`));
      files.reset();
      await load();
    });
    async function exportFile() {
      fileStatus.replaceChildren(h('p', {}, 'Hämtar filen …'));
      try { fileStatus.replaceChildren(h('p.ok', {}, `Filen ${await downloadFile(`/api/directory/synonyms/export/${code}`)} är sparad.`)); }
      catch (e) { fileStatus.replaceChildren(h('p.error', {}, problemText(e))); }
    }

    container.append(h('div.editor', {},
      h('div.list-pane', {},
        h('h2', {}, 'Synonymer'),
        h('p.muted', {}, 'Ett ord i sökningen hittar också det som dess betydelse hittar, i den här kommunens katalog.'),
        picker ? [h('label', { for: 'synonyms-municipality' }, 'Kommun '), picker] : null,
        h('div.scroll', {}, h('table.list.compact', {}, h('caption.sr', {}, 'Synonymer'),
          h('thead', {}, h('tr', {}, ['Ord', 'Betyder', 'Tillagd', 'Ta bort'].map(t => h('th', { scope: 'col' }, t)))), rows)),
        listError, status),
      h('div', {},
        h('section.panel.detail', { 'aria-labelledby': 'synonym-new' }, h('h3', { id: 'synonym-new' }, 'Ny synonym'), form),
        h('section.panel.detail', { 'aria-labelledby': 'synonym-files' }, h('h3', { id: 'synonym-files' }, 'Som fil'), files))));

    async function load() {
      const list = await api(`/api/directory/synonyms?municipality=${code}`);
      rows.replaceChildren(...list.map(s => h('tr', {},
        h('td', {}, s.word), h('td', {}, s.means), h('td', {}, formatDateTime(s.createdAt)),
        h('td', {}, h('button', { type: 'button', 'aria-label': `Ta bort ${s.word} → ${s.means}`, onclick: () => remove(s) }, 'Ta bort')))));
    }
    async function remove(synonym) {
      if (!confirm(`Ta bort synonymen ${synonym.word} → ${synonym.means}?`)) return;
      const result = await save(listError, `/api/directory/synonyms/${synonym.id}`, { method: 'DELETE' });
      if (result !== null || !listError.textContent) { await load(); status.textContent = `${synonym.word} togs bort.`; }
    }

    let reloadTimer = null;
    const reload = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(load, 300); };
    const off = hub.on('DirectoryChanged', change => { if (change.entityType?.startsWith('synonym')) reload(); });
    window.addEventListener('resync', reload);
    await load();
    return { dispose() { off(); window.removeEventListener('resync', reload); } };
  },
};
