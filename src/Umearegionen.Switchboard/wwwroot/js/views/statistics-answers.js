import { api } from '../api.js';
import { h, municipalityName } from '../dom.js';
import { formatCount, formatPercent } from '../stats-format.js';

const SHARED = 'Alla kommuner';
const NO_TOPIC = 'Inget menyval';

// The answers' figures in Statistik (GET /api/statistics/answers, docs/metrics.md "Answers and first-contact
// resolution"): first-contact resolution by municipality and menu choice, each answer's use, answers never used, and
// calls transferred although an answer existed. Loaded for the period and municipality of the statistics above.
export function answersSection({ download, problemText }) {
  const status = h('p.muted', { id: 'a-status', role: 'status' });
  const error = h('p.error', { id: 'a-error', role: 'alert' });
  const resolution = h('p', { id: 'a-resolution' });
  const resolutionBody = h('tbody', { id: 'a-resolution-rows' });
  const answersBody = h('tbody', { id: 'a-answer-rows' });
  const unusedList = h('ul', { id: 'a-unused' });
  const transferredBody = h('tbody', { id: 'a-transferred-rows' });
  let query = null;

  const table = (id, caption, headers, body) => h('div.scroll-x', {}, h('table.list.compact', { id }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map(text => h('th', { scope: 'col' }, text)))), body));
  const exportButton = (table, label) => h('button.small', { type: 'button', id: `a-export-${table}`, onclick: () => exportCsv(table) }, label);
  const element = h('section.panel', { id: 'answer-statistics', 'aria-labelledby': 'a-title' },
    h('h3', { id: 'a-title' }, 'Svar och lösta vid första kontakten'),
    h('p.muted', {}, 'Lösta vid första kontakten: samtal som växeln besvarade själv, med eller utan svar, av alla besvarade samtal.'),
    status, error, resolution,
    table('a-resolution-table', 'Lösta vid första kontakten per kommun och menyval',
      ['Grupp', 'Besvarade', 'Besvarade av växeln', 'Med svar', 'Lösta vid första kontakten'], resolutionBody),
    table('a-answers-table', 'Använda svar', ['Fråga', 'Kommun', 'Använt', 'Med länk skickad', 'Andel av besvarade'], answersBody),
    h('h4', {}, 'Svar som inte använts under perioden'), unusedList,
    table('a-transferred-table', 'Kopplade fast ett svar fanns', ['Menyval', 'Samtal', 'Svar som fanns'], transferredBody),
    h('div.actions', { role: 'group', 'aria-label': 'Exportera svarsstatistiken' },
      exportButton('answers', 'Exportera svar (CSV)'), exportButton('resolution', 'Exportera lösta vid första kontakten (CSV)'),
      exportButton('transferred', 'Exportera kopplade samtal (CSV)')));

  function show(s) {
    const t = s.total;
    resolution.textContent = `Lösta vid första kontakten: ${formatPercent(t.rate)} (${formatCount(t.resolvedBySwitchboard)} av ${formatCount(t.answered)} besvarade, `
      + `${formatCount(t.withAnswer)} med svar).`;
    const row = (group, r) => h('tr', {}, h('th', { scope: 'row' }, group), h('td.num', {}, formatCount(r.answered)),
      h('td.num', {}, formatCount(r.resolvedBySwitchboard)), h('td.num', {}, formatCount(r.withAnswer)), h('td.num', {}, formatPercent(r.rate)));
    resolutionBody.replaceChildren(
      ...s.byMunicipality.map(r => row(`Kommun: ${r.key ? municipalityName(r.key) : 'Okänt nummer'}`, r)),
      ...s.byTopic.map(r => row(`Menyval: ${r.key || NO_TOPIC}`, r)));
    answersBody.replaceChildren(...(s.answers.length ? s.answers.map(a => h('tr', {},
      h('th', { scope: 'row' }, a.removed ? `${a.question} (borttaget)` : a.question),
      h('td', {}, a.municipalityCode ? municipalityName(a.municipalityCode) : SHARED), h('td.num', {}, formatCount(a.timesUsed)),
      h('td.num', {}, formatCount(a.withLinkSent)), h('td.num', {}, formatPercent(a.shareOfAnswered))))
      : [h('tr', {}, h('td.muted', { colspan: 5 }, 'Inget samtal besvarades med ett svar under perioden.'))]));
    unusedList.replaceChildren(...(s.unused.length
      ? s.unused.map(a => h('li', {}, a.question, h('span.muted', {}, ` (${a.municipalityCode ? municipalityName(a.municipalityCode) : SHARED})`)))
      : [h('li.muted', {}, 'Alla giltiga svar har använts.')]));
    const topics = s.transferredDespiteAnswers.byTopic;
    transferredBody.replaceChildren(...(topics.length ? topics.map(t => h('tr', {},
      h('th', { scope: 'row' }, t.topic || NO_TOPIC), h('td.num', {}, formatCount(t.count)),
      h('td', {}, [...new Set(t.calls.flatMap(c => c.questions))].join('; '))))
      : [h('tr', {}, h('td.muted', { colspan: 3 }, 'Inga samtal kopplades när ett svar fanns.'))]));
  }

  async function load(period, municipality) {
    error.textContent = '';
    query = new URLSearchParams({ from: period.from, to: period.to });
    if (municipality) query.set('municipality', municipality);
    const mine = query.toString();
    status.textContent = 'Hämtar svarsstatistiken …';
    try {
      const s = await api(`/api/statistics/answers?${mine}`);
      if (query?.toString() !== mine) return;
      show(s);
      status.textContent = `Svar ${s.from} – ${s.to}.`;
    } catch (e) {
      status.textContent = '';
      error.textContent = problemText('Svarsstatistiken kunde inte hämtas', e);
    }
  }

  async function exportCsv(table) {
    if (!query) return;
    const params = new URLSearchParams(query);
    params.set('format', 'csv');
    params.set('table', table);
    await download(`/api/statistics/answers?${params}`, `svarsstatistik-${table}-${params.get('from')}--${params.get('to')}.csv`,
      status, error, 'Svarsstatistiken kunde inte exporteras');
  }

  return { element, load };
}
