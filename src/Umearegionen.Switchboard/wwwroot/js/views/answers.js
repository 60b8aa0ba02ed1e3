import { api } from '../api.js';
import * as hub from '../hub.js';
import { h, formatDateTime, loadMunicipalities } from '../dom.js';
import { field, valueOf, save } from '../form.js';
import { historyList } from '../history.js';

// The API's field names and the form's controls, so a field error is shown beside its field.
const FIELDS = { question: 'a-question', answer: 'a-answer', topics: 'a-topics', eServices: 'a-eservices', validFrom: 'a-from', validTo: 'a-to' };
const fieldControl = f => FIELDS[f] ?? (/^(topics|eServices)\[/.test(f) ? FIELDS[f.split('[')[0]] : null);

// Editors: their municipality's answers ("svar", docs/answers.md); administrators also the shared ones.
export default {
  id: 'svar',
  title: 'Svar',
  roles: ['editor', 'administrator'],
  async render(container, { user }) {
    const municipalities = (await loadMunicipalities()).filter(m => m.servedBySwitchboard);
    // An administrator picks a municipality or the shared answers ('shared'); an editor keeps their own.
    let code = user.municipalityCode ?? 'shared';
    let answers = [];
    let selected = null;
    const rows = h('tbody', { id: 'answers' });
    const detail = h('section.panel.detail', { id: 'answer-detail', 'aria-live': 'polite' });
    const picker = user.municipalityCode ? null : h('select', { id: 'answers-municipality', onchange: async e => {
      code = e.target.value; selected = null; await load(); renderDetail(); } },
      [h('option', { value: 'shared' }, 'Gemensamma (alla kommuner)'), ...municipalities.map(m => h('option', { value: m.code }, m.name))]);

    container.append(h('div.editor', {},
      h('div.list-pane', {},
        h('h2', {}, 'Svar'),
        picker ? [h('label', { for: 'answers-municipality' }, 'Kommun '), picker] : null,
        h('div.search-row', {}, h('button', { type: 'button', onclick: () => select(null) }, 'Nytt svar')),
        h('div.scroll', {}, h('table.list.compact', {}, h('caption.sr', {}, 'Svar'),
          h('thead', {}, h('tr', {}, ['Fråga', 'Gäller', 'Granskad'].map(t => h('th', { scope: 'col' }, t)))), rows))),
      detail));

    const validity = a => a.validFrom || a.validTo ? `${a.validFrom ?? '…'} – ${a.validTo ?? '…'}` : 'Tills vidare';
    function renderRows() {
      rows.replaceChildren(...answers.map(a => h('tr', {},
        h('td', {}, h('button.link', { type: 'button', 'aria-current': a.id === selected?.id ? 'true' : null, onclick: () => select(a) }, a.question)),
        h('td', {}, validity(a)), h('td', {}, formatDateTime(a.reviewedAt)))));
    }
    async function load() {
      const params = code === 'shared' ? 'municipality=shared' : `municipality=${code}&shared=false`;
      answers = (await api(`/api/answers?${params}&limit=500`)).answers;
      if (selected) selected = answers.find(a => a.id === selected.id) ?? null;
      renderRows();
    }
    async function select(answer) { selected = answer; renderRows(); await renderDetail(); }
    async function renderDetail() {
      const onSaved = async saved => { await load(); selected = saved ? answers.find(a => a.id === saved.id) ?? null : null; renderRows(); await renderDetail(); };
      detail.replaceChildren(h('h3', {}, selected ? selected.question : 'Nytt svar'), answerForm(selected, { code, onSaved }),
        selected ? h('h4', {}, 'Historik') : null, selected ? await historyList([`/api/answers/${selected.id}/history`]) : null);
    }

    let reloadTimer = null;
    const reload = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(load, 300); };
    const off = hub.on('DirectoryChanged', change => { if (change.entityType?.startsWith('answer')) reload(); });
    window.addEventListener('resync', reload);
    await load();
    await renderDetail();
    return { dispose() { off(); window.removeEventListener('resync', reload); } };
  },
};

// One answer's fields; saving sends the version it is based on (If-Match).
function answerForm(answer, { code, onSaved }) {
  const error = h('p.error', { role: 'alert' });
  const saved = h('p.muted', { role: 'status' });
  const form = h('form.grid', { id: 'answer-form', novalidate: true },
    ...field('a-question', 'Fråga', { value: answer?.question }),
    ...field('a-answer', 'Svar att läsa upp', { rows: 5, value: answer?.answer }),
    ...field('a-topics', 'Ämnen (kommaseparerade)', { value: answer?.topics.join(', ') }),
    ...field('a-eservices', 'E-tjänster (en per rad: namn | länk)', { rows: 2, value: answer?.eServices.map(e => `${e.name} | ${e.url}`).join('\n') }),
    ...field('a-from', 'Gäller från', { type: 'date', value: answer?.validFrom }),
    ...field('a-to', 'Gäller till och med', { type: 'date', value: answer?.validTo }),
    h('div.actions.span', {}, h('button.primary', { type: 'submit' }, answer ? 'Spara svaret' : 'Skapa svaret'),
      answer ? h('button', { type: 'button', onclick: remove }, 'Ta bort svaret') : null,
      answer ? h('button', { type: 'button', onclick: review }, 'Markera granskat') : null),
    error, saved);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const v = id => valueOf(form, id);
    const body = {
      municipalityCode: code === 'shared' ? null : code, externalKey: answer?.externalKey ?? null,
      question: v('a-question'), answer: v('a-answer'), unitIds: answer?.unitIds ?? [],
      topics: (v('a-topics') ?? '').split(',').map(t => t.trim()).filter(Boolean),
      eServices: (v('a-eservices') ?? '').split('\n').map(line => line.trim()).filter(Boolean).map(line => {
        const [name, url] = line.split('|').map(p => p.trim());
        return { name, url: url ?? '' };
      }),
      validFrom: v('a-from'), validTo: v('a-to'),
    };
    const result = await save(error, answer ? `/api/answers/${answer.id}` : '/api/answers',
      { method: answer ? 'PUT' : 'POST', version: answer?.version, body, fields: fieldControl });
    if (result) { saved.textContent = 'Sparat.'; await onSaved(result); }
  });

  async function remove() {
    if (!confirm(`Ta bort svaret "${answer.question}"?`)) return;
    const result = await save(error, `/api/answers/${answer.id}`, { method: 'DELETE', version: answer.version });
    if (result !== null || !error.textContent) await onSaved(null);
  }
  async function review() {
    const result = await save(error, `/api/answers/${answer.id}/review`, { method: 'POST' });
    if (result !== null || !error.textContent) { saved.textContent = 'Markerat som granskat.'; await onSaved(answer); }
  }
  return form;
}
