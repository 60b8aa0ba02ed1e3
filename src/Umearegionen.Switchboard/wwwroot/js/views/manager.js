import * as hub from '../hub.js';
import { api } from '../api.js';
import { h, formatWait, formatTime, municipalityNames, municipalityName } from '../dom.js';
import { liveCharts } from '../charts.js';
import { swedishPausedReason } from '../errors.js';
import { statusBadge, tickStatusTimes } from '../operator-status.js';

const STATUS_NAMES = { available: 'Tillgängliga', on_call: 'I samtal', wrap_up: 'Efterarbete', paused: 'Pausade',
  disconnected: 'Frånkopplade', offline: 'Offline' };

// The switchboard lead's live view: today's figures, the queue and service level over the day, calls per municipality.
export default {
  id: 'live',
  title: 'Live',
  roles: ['manager', 'administrator'],
  async render(container) {
    await municipalityNames();
    const figure = (id, label) => h('div.figure', {}, h('span.figure-label', { id: `${id}-label` }, label),
      h('span.figure-value', { id, 'aria-labelledby': `${id}-label` }, '–'));
    const operatorsBody = h('tbody', { id: 'operators' });
    const perMunicipality = h('tbody', { id: 'per-municipality' });
    const dayBody = h('tbody', { id: 'day-intervals' });
    const updated = h('p.muted', { id: 'live-updated' }); // changes several times a second: not a live region
    container.append(h('div.manager', {},
      h('h2', {}, 'Läget just nu'), updated,
      h('div.figures', {}, figure('m-queue', 'I kö'), figure('m-longest', 'Längsta väntan'), figure('m-sl', 'Servicenivå idag'),
        figure('m-answered', 'Besvarade idag'), figure('m-abandoned', 'Avbrutna idag'), figure('m-available', 'Tillgängliga telefonister')),
      h('div.chart-row', {},
        h('figure.panel', {}, h('figcaption', {}, 'Samtal per kvart idag'),
          h('div.chart', {}, h('canvas', { id: 'chart-day', role: 'img', 'aria-label': 'Samtal och besvarade per kvart idag, se tabellen' })),
          h('details', {}, h('summary', {}, 'Visa som tabell'),
            h('table.list.compact', {}, h('caption.sr', {}, 'Samtal per kvart idag'),
              h('thead', {}, h('tr', {}, ['Kvart', 'Samtal', 'Besvarade', 'Avbrutna'].map(t => h('th', { scope: 'col' }, t)))), dayBody))),
        h('figure.panel', {}, h('figcaption', {}, 'Samtal per kommun idag'),
          h('div.chart', {}, h('canvas', { id: 'chart-municipalities', role: 'img', 'aria-label': 'Samtal per kommun idag, se tabellen' })),
          h('table.list.compact', {}, h('caption.sr', {}, 'Samtal per kommun idag'),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kommun'), h('th', { scope: 'col' }, 'Samtal'))), perMunicipality))),
      h('section.panel', { 'aria-labelledby': 'operators-title' }, h('h3', { id: 'operators-title' }, 'Telefonister'),
        h('p.muted', { id: 'operators-summary' }),
        h('table.list.compact', {}, h('caption.sr', {}, 'Telefonister och deras status'),
          h('thead', {}, h('tr', {}, ['Namn', 'Lag', 'Status', 'Ansluten', 'I samtal'].map(t => h('th', { scope: 'col' }, t)))), operatorsBody))));

    const charts = liveCharts(container.querySelector('#chart-day'), container.querySelector('#chart-municipalities'));
    const set = (id, text) => { container.querySelector(`#${id}`).textContent = text; };

    function show(view) {
      set('m-queue', String(view.queueLength));
      set('m-longest', view.queueLength ? formatWait(view.longestWaitSeconds) : '–');
      set('m-sl', view.serviceLevelToday === null ? '–' : `${Math.round(view.serviceLevelToday * 100)} %`);
      set('m-answered', `${view.answeredToday} (${view.answeredWithinTargetToday} i tid)`);
      set('m-abandoned', `${view.abandonedToday} (${view.shortAbandonedToday} korta avbrott)`);
      set('m-available', String(view.operatorsByStatus.available ?? 0));
      container.querySelector('#operators-summary').textContent = Object.entries(STATUS_NAMES)
        .map(([key, name]) => `${name}: ${view.operatorsByStatus[key] ?? 0}`).join(' · ');
      const counts = [...view.callsPerMunicipalityToday].sort((a, b) => b.calls - a.calls);
      perMunicipality.replaceChildren(...counts.map(c => h('tr', {},
        h('th', { scope: 'row' }, c.municipalityCode === 'unknown' ? 'Okänt nummer' : municipalityName(c.municipalityCode)),
        h('td.num', { dataset: { municipality: c.municipalityCode } }, String(c.calls)))));
      updated.textContent = `Uppdaterat ${formatTime(view.at)}`;
      charts.add(view, c => c === 'unknown' ? 'Okänt nummer' : municipalityName(c));
      refreshOperators();
    }

    let operatorsTimer = null, operatorsLoadedAt = 0;
    function refreshOperators() {
      if (operatorsTimer) return;
      const wait = Math.max(0, 3000 - (Date.now() - operatorsLoadedAt));
      operatorsTimer = setTimeout(async () => {
        operatorsTimer = null;
        operatorsLoadedAt = Date.now();
        const operators = await hub.invoke('GetOperators').catch(() => null);
        if (!operators) return;
        operators.sort((a, b) => a.displayName.localeCompare(b.displayName, 'sv'));
        if (!operators.length) operatorsBody.replaceChildren(h('tr', {}, h('td', { colSpan: 5 }, 'Inga telefonister har loggat in idag.')));
        else operatorsBody.replaceChildren(...operators.map(o => h('tr', {},
          h('td', {}, o.displayName), h('td', {}, o.team === 'main' ? 'Huvudlag' : 'Reserv'),
          h('td', {}, statusBadge(o, o.pausedReason ? ` (${swedishPausedReason(o.pausedReasonCode, o.pausedReason)})` : '')),
          h('td', {}, o.connected ? 'Ja' : 'Nej'), h('td', {}, o.callId ? 'Ja' : '–'))));
      }, wait);
    }

    // Time in status ticks between the lists (read at most every 3 s).
    const ticker = setInterval(() => tickStatusTimes(operatorsBody), 1000);
    // The day from the service's record (GET /api/statistics/today), on opening and every 30 s: the same after a reload.
    async function loadDay() {
      const today = await api('/api/statistics/today').catch(() => null);
      if (!today) return;
      charts.showDay(today);
      const busy = today.intervals.filter(i => i.calls > 0);
      dayBody.replaceChildren(...(busy.length ? busy.map(i => h('tr', {},
        h('th', { scope: 'row' }, formatTime(i.start)), h('td.num', {}, String(i.calls)), h('td.num', {}, String(i.answered)),
        h('td.num', {}, String(i.abandoned)))) : [h('tr', {}, h('td', { colSpan: 4 }, 'Inga samtal ännu idag.'))]));
    }
    const dayTimer = setInterval(loadDay, 30000);
    const resync = async () => { loadDay(); const view = await hub.invoke('GetManagerView').catch(() => null); if (view) show(view); };
    const off = hub.on('ManagerViewChanged', show);
    window.addEventListener('resync', resync);
    if (hub.isConnected()) await resync();
    return { dispose() { off(); window.removeEventListener('resync', resync); clearTimeout(operatorsTimer); clearInterval(ticker); clearInterval(dayTimer); charts.destroy(); } };
  },
};
