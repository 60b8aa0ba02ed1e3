import { api, ApiError } from '../api.js';
import { swedishMessage, swedishFieldErrors } from '../errors.js';
import { h, loadMunicipalities, municipalityNames, municipalityName } from '../dom.js';
import { statisticsChart } from '../charts.js';
import { answersSection } from './statistics-answers.js';
import { downloadFile } from '../files.js';
import {
  formatCount, formatPercent, formatDuration, formatChange, formatKronor, formatSignedKronor, formatMinutes,
  today, QUICK_RANGES, formatMonthKey, formatDayKey,
} from '../stats-format.js';

// The slices of GET /api/statistics/summary (by=…), with Swedish names and the word used in file names.
const SLICES = [
  ['municipality', 'Kommun', 'kommun'], ['unit', 'Enhet', 'enhet'], ['topic', 'Ämne', 'amne'],
  ['operator', 'Telefonist', 'telefonist'], ['hour', 'Timme på dygnet', 'timme'], ['weekday', 'Veckodag', 'veckodag'],
  ['day', 'Dag', 'dag'], ['month', 'Månad', 'manad'], ['wrapUpCategory', 'Kategori', 'kategori'],
];
const SLICE = Object.fromEntries(SLICES.map(([key, name, file]) => [key, { name, file }]));
const WEEKDAYS = ['', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag', 'söndag'];
const UNKNOWN = { municipality: 'Okänt nummer', unit: 'Ingen enhet', topic: 'Inget menyval', operator: 'Ingen telefonist', wrapUpCategory: 'Ingen kategori' };

// The key figures of the period, in the order a switchboard lead reads them.
const METRICS = [
  ['offered', 'Erbjudna samtal', 'count'],
  ['answered', 'Besvarade', 'count'],
  ['abandoned', 'Avbrutna', 'count'],
  ['shortAbandoned', s => `Korta avbrott (högst ${s.shortAbandonSeconds} s)`, 'count'],
  ['serviceLevel', s => `Servicenivå (besvarade inom ${s.serviceLevelTargetSeconds} s)`, 'percent'],
  ['answerRate', 'Andel besvarade', 'percent'],
  ['averageSpeedOfAnswerSeconds', 'Medelväntetid (ASA)', 'duration'],
  ['speedOfAnswerP90Seconds', 'Väntetid, 90:e percentilen', 'duration'],
  ['averageHandleSeconds', 'Medelhanteringstid med efterarbete (AHT)', 'duration'],
  ['answeredBySwitchboard', 'Besvarade av växeln', 'count'],
  ['transferred', 'Kopplade', 'count'],
  ['callbacksBooked', 'Återuppringningar bokade', 'count'],
  ['callbacksKept', 'Återuppringningar gjorda', 'count'],
  ['messages', 'Meddelanden', 'count'],
  ['faultReports', 'Felanmälningar', 'count'],
  ['bounceBacks', s => `Studsar tillbaka (inom ${Math.round(s.bounceBackWindowSeconds / 60)} min)`, 'count'],
  ['occupancy', 'Beläggning (telefonisterna)', 'percent'],
  ['closedDestinations', 'Samtal till stängda mål', 'count'],
];
const FORMAT = { count: formatCount, percent: formatPercent, duration: formatDuration };
// The columns of the slice table.
const ROW_METRICS = ['offered', 'answered', 'abandoned', 'serviceLevel', 'averageSpeedOfAnswerSeconds', 'averageHandleSeconds', 'transferred', 'bounceBacks'];
const ROW_HEADERS = ['Erbjudna', 'Besvarade', 'Avbrutna', 'Servicenivå', 'Medelväntetid', 'AHT', 'Kopplade', 'Studsar'];

// The statistics of issue #7 for managers, administrators and (their own municipality only) editors: a date
// range with quick choices, one or two slices, the key figures beside the previous period, the slice as a table and
// a chart, CSV export, and the cost split for a budget.
export default {
  id: 'statistik',
  title: 'Statistik',
  roles: ['manager', 'administrator', 'editor'],
  async render(container, { user }) {
    await municipalityNames();
    const ownOnly = user.role === 'editor';
    const served = (await loadMunicipalities()).filter(m => m.servedBySwitchboard);
    const t = today();

    const from = h('input', { id: 's-from', type: 'date', value: `${t.slice(0, 8)}01`, 'aria-describedby': 's-range-error', required: true });
    const to = h('input', { id: 's-to', type: 'date', value: t, 'aria-describedby': 's-range-error', required: true });
    const rangeError = h('p.error', { id: 's-range-error', 'aria-live': 'polite' });
    const sliceOptions = first => [first ? null : h('option', { value: '' }, 'Ingen'), ...SLICES.map(([key, name]) => h('option', { value: key }, name))];
    const by = h('select', { id: 's-by' }, sliceOptions(true));
    const by2 = h('select', { id: 's-by2' }, sliceOptions(false));
    const municipality = ownOnly
      ? h('select', { id: 's-municipality', disabled: true }, h('option', { value: user.municipalityCode ?? '' }, municipalityName(user.municipalityCode)))
      : h('select', { id: 's-municipality' }, h('option', { value: '' }, 'Alla kommuner'), served.map(m => h('option', { value: m.code }, m.name)));
    const status = h('p.muted', { id: 's-status', role: 'status' });
    const error = h('p.error', { id: 's-error', role: 'alert' });
    const figures = h('div.figures', { id: 's-figures' });
    const keyBody = h('tbody', { id: 's-key-figures' });
    const keyCaption = h('caption', {}, 'Nyckeltal');
    const previousHeader = h('th', { scope: 'col' }, 'Föregående period');
    const notes = h('p.muted', { id: 's-notes' });
    const sliceCaption = h('caption', {}, 'Per kommun');
    const sliceHead = h('tr', {});
    const sliceBody = h('tbody', { id: 's-rows' });
    const chartCaption = h('figcaption', {}, 'Erbjudna och besvarade samtal med servicenivå');
    const canvas = h('canvas', { id: 's-chart', role: 'img', 'aria-label': 'Erbjudna och besvarade samtal och servicenivå per grupp; samma siffror står i tabellen' });

    const quick = h('div.actions', { role: 'group', 'aria-label': 'Snabbval av period' },
      QUICK_RANGES.map(([id, label, range]) => h('button.small', { type: 'button', id: `s-quick-${id}`, onclick: () => {
        [from.value, to.value] = range(today());
        load();
      } }, label)));

    const form = h('form.stats-query', { id: 's-form', novalidate: true },
      h('fieldset', {}, h('legend', {}, 'Period'),
        h('div.stats-fields', {},
          h('span', {}, h('label', { for: 's-from' }, 'Från och med'), from),
          h('span', {}, h('label', { for: 's-to' }, 'Till och med'), to)),
        rangeError, quick),
      h('div.stats-fields', {},
        h('span', {}, h('label', { for: 's-by' }, 'Dela upp per'), by),
        h('span', {}, h('label', { for: 's-by2' }, 'och per'), by2),
        h('span', {}, h('label', { for: 's-municipality' }, 'Kommun'), municipality)),
      h('div.actions', {},
        h('button.primary', { type: 'submit' }, 'Visa statistik'),
        h('button', { type: 'button', id: 's-export', onclick: () => exportCsv() }, 'Exportera CSV')),
      status, error);

    const budget = h('input', { id: 'c-budget', type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': 'c-budget-help c-budget-error' });
    const budgetError = h('p.error', { id: 'c-budget-error', 'aria-live': 'polite' });
    const costStatus = h('p.muted', { id: 'c-status', role: 'status' });
    const costError = h('p.error', { id: 'c-error', role: 'alert' });
    const costCaption = h('caption', {}, 'Kostnadsfördelning');
    const costBody = h('tbody', { id: 'c-rows' });
    const costNotes = h('p.muted', { id: 'c-notes' });
    const costForm = h('form.stats-query', { id: 'c-form', novalidate: true },
      h('div.stats-fields', {}, h('span', {}, h('label', { for: 'c-budget' }, 'Budget för perioden (kr)'), budget)),
      h('p.muted', { id: 'c-budget-help' }, 'Perioden är densamma som ovan. Skriv beloppet i kronor, till exempel 2 400 000.'),
      budgetError,
      h('div.actions', {},
        h('button.primary', { type: 'submit' }, 'Fördela kostnaden'),
        h('button', { type: 'button', id: 'c-export', onclick: () => exportCostCsv() }, 'Exportera CSV')),
      costStatus, costError);

    container.append(h('div.statistics', {},
      h('h2', {}, ownOnly ? `Statistik för ${municipalityName(user.municipalityCode)}` : 'Statistik'),
      form,
      figures,
      h('table.list.compact.key-figures', {}, keyCaption,
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Mått'), h('th', { scope: 'col' }, 'Perioden'), previousHeader,
          h('th', { scope: 'col' }, 'Förändring'))), keyBody),
      notes,
      h('figure.panel', {}, chartCaption, h('div.chart', {}, canvas)),
      h('div.scroll-x', {}, h('table.list.compact', { id: 's-table' }, sliceCaption, h('thead', {}, sliceHead), sliceBody)),
      h('section.panel', { 'aria-labelledby': 'c-title' },
        h('h3', { id: 'c-title' }, 'Kostnadsfördelning'),
        h('p.muted', {}, 'Varje kommuns andel av växelns arbete (samtal och hanterade minuter) bredvid dess andel enligt samverkansnyckeln (fast belopp per kommun plus ett belopp per invånare).'),
        costForm,
        h('div.scroll-x', {}, h('table.list.compact', { id: 'c-table' }, costCaption,
          h('thead', {}, h('tr', {}, ['Kommun', 'Invånare', 'Samtal', 'Andel samtal', 'Hanterade minuter', 'Andel minuter',
            'Andel enligt nyckel', 'Belopp enligt nyckel', 'Belopp efter minuter', 'Skillnad (nyckel − minuter)']
            .map(text => h('th', { scope: 'col' }, text)))), costBody)),
        costNotes)));

    const answers = answersSection({ download, problemText });
    container.querySelector('.statistics').append(answers.element);

    const chart = statisticsChart(canvas);

    // The range as the API wants it, or null after saying next to the fields what is wrong (then nothing is sent).
    function range() {
      rangeError.textContent = '';
      from.removeAttribute('aria-invalid');
      to.removeAttribute('aria-invalid');
      let problem = null;
      if (!from.value) { problem = 'Ange ett från-datum.'; from.setAttribute('aria-invalid', 'true'); }
      else if (!to.value) { problem = 'Ange ett till-datum.'; to.setAttribute('aria-invalid', 'true'); }
      else if (from.value > to.value) {
        problem = `Från-datumet (${from.value}) ligger efter till-datumet (${to.value}). Välj ett till-datum samma dag eller senare.`;
        to.setAttribute('aria-invalid', 'true');
      }
      if (problem) { rangeError.textContent = problem; return null; }
      return { from: from.value, to: to.value };
    }

    const slice = () => by2.value && by2.value !== by.value ? `${by.value},${by2.value}` : by.value;
    function summaryQuery(period) {
      const params = new URLSearchParams({ from: period.from, to: period.to, by: slice() });
      if (municipality.value) params.set('municipality', municipality.value);
      return params;
    }

    let sequence = 0;
    let shown = null; // the period the figures on the page are for
    const stale = () => shown ? `Siffrorna nedan gäller fortfarande ${shown}.` : '';
    async function load() {
      error.textContent = '';
      const period = range();
      if (!period) { status.textContent = stale(); return; }
      const mine = ++sequence;
      status.textContent = 'Hämtar statistiken …';
      try {
        const summary = await api(`/api/statistics/summary?${summaryQuery(period)}`);
        if (mine !== sequence) return;
        show(summary);
        answers.load(period, municipality.value);
        shown = `${summary.from} – ${summary.to}`;
        status.textContent = `Visar ${summary.from} – ${summary.to}, jämfört med ${summary.previousFrom} – ${summary.previousTo}.`;
      } catch (e) {
        if (mine !== sequence) return;
        status.textContent = stale();
        error.textContent = problemText('Statistiken kunde inte hämtas', e);
      }
    }

    function value(metrics, key, kind, notCaptured) {
      if (notCaptured.includes(key)) return 'ej mätt';
      return FORMAT[kind](metrics?.[key]);
    }

    function show(summary) {
      const settings = summary.settings;
      const notCaptured = summary.notCaptured ?? [];
      const label = l => typeof l === 'function' ? l(settings) : l;
      keyCaption.textContent = `Nyckeltal ${summary.from} – ${summary.to}${summary.municipality ? `, ${municipalityName(summary.municipality)}` : ', alla kommuner'}`;
      previousHeader.textContent = `Föregående period (${summary.previousFrom} – ${summary.previousTo})`;
      keyBody.replaceChildren(...METRICS.map(([key, name, kind]) => h('tr', { dataset: { metric: key } },
        h('th', { scope: 'row' }, label(name)),
        h('td.num', { dataset: { period: 'current' } }, value(summary.total, key, kind, notCaptured)),
        h('td.num', { dataset: { period: 'previous' } }, value(summary.previousTotal, key, kind, notCaptured)),
        h('td.num', { dataset: { period: 'change' } }, notCaptured.includes(key) ? 'ej mätt'
          : formatChange(kind, summary.total[key], summary.previousTotal[key])))));
      const figure = (key, name, kind) => h('div.figure', { dataset: { metric: key } },
        h('span.figure-label', {}, name),
        h('span.figure-value', {}, value(summary.total, key, kind, notCaptured)),
        h('span.muted', {}, `förra: ${value(summary.previousTotal, key, kind, notCaptured)} (${formatChange(kind, summary.total[key], summary.previousTotal[key])})`));
      figures.replaceChildren(
        figure('offered', 'Erbjudna', 'count'), figure('answered', 'Besvarade', 'count'), figure('abandoned', 'Avbrutna', 'count'),
        figure('serviceLevel', 'Servicenivå', 'percent'), figure('averageSpeedOfAnswerSeconds', 'Medelväntetid', 'duration'),
        figure('averageHandleSeconds', 'Hanteringstid (AHT)', 'duration'));
      notes.textContent = [
        notCaptured.length ? `Ej mätt: ${notCaptured.map(k => label(METRICS.find(m => m[0] === k)?.[1] ?? k).toLowerCase()).join(', ')} – växeln registrerar inte de uppgifterna ännu.` : null,
        summary.total.occupancy === null && summary.municipality ? 'Beläggningen gäller hela växeln och visas bara för alla kommuner.' : null,
        'Ett samtal räknas den dag det kom in (svensk tid) och först när det är avslutat.',
      ].filter(Boolean).join(' ');

      const parts = summary.by.split(',');
      const sliceName = parts.map(p => SLICE[p]?.name.toLowerCase() ?? p).join(' och ');
      sliceCaption.textContent = `Per ${sliceName}, ${summary.from} – ${summary.to}`;
      const compared = summary.rows.some(r => r.previous);
      sliceHead.replaceChildren(h('th', { scope: 'col' }, parts.map(p => SLICE[p]?.name ?? p).join(' · ')),
        ...ROW_HEADERS.map(text => h('th', { scope: 'col' }, text)),
        compared ? h('th', { scope: 'col' }, 'Erbjudna förra perioden') : null);
      const rows = summary.rows.map(r => ({ ...r, name: rowLabel(parts, r) }));
      sliceBody.replaceChildren(...(rows.length ? rows.map(r => h('tr', { dataset: { key: r.key } },
        h('th', { scope: 'row' }, r.name),
        ...ROW_METRICS.map(key => h('td.num', { dataset: { metric: key } }, value(r.metrics, key, kindOf(key), notCaptured))),
        compared ? h('td.num', { dataset: { metric: 'previousOffered' } }, r.previous ? formatCount(r.previous.offered) : '–') : null))
        : [h('tr', {}, h('td', { colSpan: ROW_METRICS.length + 1 }, 'Inga avslutade samtal i perioden.'))]));
      chartCaption.textContent = `Erbjudna och besvarade samtal med servicenivå, per ${sliceName}`;
      chart.show(rows.map(r => r.name), rows.map(r => r.metrics.offered), rows.map(r => r.metrics.answered),
        rows.map(r => r.metrics.serviceLevel === null ? null : Math.round(r.metrics.serviceLevel * 1000) / 10));
    }

    // The service's labels are English for weekdays and unknowns; the person reads Swedish.
    function rowLabel(parts, row) {
      const keys = parts.length === 1 ? [row.key] : row.key.split('|');
      const labels = parts.length === 1 ? [row.label ?? row.key] : (row.label ?? row.key).split(' · ');
      return parts.map((part, i) => {
        const key = keys[i] ?? '';
        if (key === '') return UNKNOWN[part] ?? '–';
        if (part === 'weekday') return WEEKDAYS[Number(key)] ?? key;
        if (part === 'month') return formatMonthKey(key);
        if (part === 'day') return formatDayKey(key);
        if (part === 'hour') return `${key}:00–${key}:59`;
        return labels[i] ?? key;
      }).join(' · ');
    }

    async function exportCsv() {
      error.textContent = '';
      const period = range();
      if (!period) return;
      const params = summaryQuery(period);
      params.set('format', 'csv');
      const name = `statistik-${period.from}--${period.to}-${slice().split(',').map(p => SLICE[p].file).join('-')}.csv`;
      await download(`/api/statistics/summary?${params}`, name, status, error, 'Statistiken kunde inte exporteras');
    }

    // The budget in kronor, or null after saying next to the field what is wrong.
    function budgetValue() {
      budgetError.textContent = '';
      budget.removeAttribute('aria-invalid');
      const text = budget.value.replace(/[\s\u00a0]/g, '').replace(/kr$/i, '').replace(',', '.');
      let problem = null;
      if (!text) problem = 'Ange budgeten för perioden i kronor, till exempel 2 400 000.';
      else if (!/^-?\d+(\.\d{1,2})?$/.test(text)) problem = 'Budgeten måste vara ett belopp i kronor, till exempel 2 400 000 eller 2400000,50.';
      else if (Number(text) < 0) problem = 'Budgeten kan inte vara negativ.';
      if (problem) { budgetError.textContent = problem; budget.setAttribute('aria-invalid', 'true'); return null; }
      return text;
    }

    function costQuery() {
      const period = range();
      const amount = budgetValue();
      return period && amount !== null ? new URLSearchParams({ from: period.from, to: period.to, budget: amount }) : null;
    }

    async function loadCostSplit() {
      costError.textContent = '';
      const params = costQuery();
      if (!params) return;
      costStatus.textContent = 'Fördelar …';
      try {
        const split = await api(`/api/statistics/cost-split?${params}`);
        showCostSplit(split);
        costStatus.textContent = `Budget ${formatKronor(split.budget)} för ${split.from} – ${split.to}.`;
      } catch (e) {
        costStatus.textContent = '';
        if (e instanceof ApiError && e.fieldErrors.budget) {
          budgetError.textContent = `Budgeten räcker inte: ${[e.fieldErrors.budget].flat().join(' ')}`;
          budget.setAttribute('aria-invalid', 'true');
        } else {
          costError.textContent = problemText('Kostnadsfördelningen kunde inte hämtas', e);
        }
      }
    }

    function showCostSplit(split) {
      costCaption.textContent = `Kostnadsfördelning ${split.from} – ${split.to}, budget ${formatKronor(split.budget)}`;
      costBody.replaceChildren(...split.municipalities.map(s => h('tr', { dataset: { municipality: s.municipalityCode } },
        h('th', { scope: 'row' }, s.name),
        h('td.num', { dataset: { column: 'population' } }, formatCount(s.population)),
        h('td.num', { dataset: { column: 'calls' } }, formatCount(s.calls)),
        h('td.num', { dataset: { column: 'callShare' } }, formatPercent(s.callShare)),
        h('td.num', { dataset: { column: 'handledMinutes' } }, formatMinutes(s.handledMinutes)),
        h('td.num', { dataset: { column: 'minuteShare' } }, formatPercent(s.minuteShare)),
        h('td.num', { dataset: { column: 'keyShare' } }, formatPercent(s.keyShare)),
        h('td.num', { dataset: { column: 'keyAmount' } }, formatKronor(s.keyAmount)),
        h('td.num', { dataset: { column: 'amountByMinutes' } }, formatKronor(s.amountByMinutes)),
        h('td.num', { dataset: { column: 'keyMinusMinutes' } }, formatSignedKronor(s.keyMinusMinutes)))));
      costNotes.textContent = [
        `Nyckeln: ${formatKronor(split.fixedPerMunicipality)} per kommun plus ${new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 2 }).format(split.perInhabitant)} kr per invånare`
          + (split.perInhabitantSource === 'derived' ? ' (beräknat så att nyckelns belopp blir hela budgeten).' : ' (inställt belopp).'),
        split.populationYear
          ? `Folkmängd: ${split.populationYear} (per ${split.populationReferenceDate})${split.populationFallback ? ', det tidigaste året eftersom inga siffror fanns före periodens slut' : ''}.`
          : null,
        'Beloppen är avrundade till hela ören så att varje kolumn blir exakt budgeten (största rest).',
        'Skillnaden är beloppet enligt nyckeln minus beloppet efter hanterade minuter: ett positivt belopp betyder att kommunen betalar mer än den använder.',
        split.unattributedCalls ? `${formatCount(split.unattributedCalls)} samtal kunde inte knytas till någon kommun (okänt nummer) och ingår inte.` : null,
      ].filter(Boolean).join(' ');
    }

    async function exportCostCsv() {
      costError.textContent = '';
      const params = costQuery();
      if (!params) return;
      params.set('format', 'csv');
      await download(`/api/statistics/cost-split?${params}`, `kostnadsfordelning-${params.get('from')}--${params.get('to')}.csv`,
        costStatus, costError, 'Kostnadsfördelningen kunde inte exporteras');
    }

    costBody.append(h('tr', {}, h('td.muted', { colSpan: 10 }, 'Ange budgeten och välj Fördela kostnaden.')));
    for (const select of [by, by2, municipality]) select.addEventListener('change', () => load());
    form.addEventListener('submit', event => { event.preventDefault(); load(); });
    costForm.addEventListener('submit', event => { event.preventDefault(); loadCostSplit(); });
    await load();
    return { dispose() { chart.destroy(); } };
  },
};

const kindOf = key => METRICS.find(m => m[0] === key)?.[2] ?? 'count';

// What went wrong, in Swedish, after what was being done.
function problemText(lead, e) {
  if (!(e instanceof ApiError)) return `${lead}: tjänsten svarar inte just nu. Försök igen om en stund.`;
  if (e.status === 403) return `${lead}: du har inte behörighet att se de här siffrorna.`;
  const fields = swedishFieldErrors(e).flatMap(f => f.messages);
  return `${lead}: ${fields.length ? fields.join(' ') : swedishMessage(e)}`;
}

async function download(path, name, status, error, lead) {
  status.textContent = 'Hämtar filen …';
  try {
    status.textContent = `Filen ${await downloadFile(path, name)} är sparad.`;
  } catch (e) {
    status.textContent = '';
    error.textContent = problemText(lead, e);
  }
}
