import { api } from '../api.js';
import { h, formatWait } from '../dom.js';

// The operator's own figures for today (GET /api/statistics/my-day): calls handled, average handle time
// with after-call work, share transferred. Read again when a call or its after-call work ends.
export function myDayPanel() {
  const calls = h('dd', { id: 'my-day-calls' }, '–');
  const handle = h('dd', { id: 'my-day-handle' }, '–');
  const transferred = h('dd', { id: 'my-day-transferred' }, '–');
  const element = h('section.panel', { id: 'my-day', 'aria-labelledby': 'my-day-title' },
    h('h3', { id: 'my-day-title' }, 'Min dag'),
    h('dl.facts', {}, h('dt', {}, 'Samtal'), calls, h('dt', {}, 'Snittid per samtal'), handle, h('dt', {}, 'Kopplade vidare'), transferred));
  let reading = null;
  async function refresh() {
    // One read at a time; a change during it reads again afterwards.
    if (reading) { reading.again = true; return; }
    reading = { again: false };
    try {
      const day = await api('/api/statistics/my-day');
      calls.textContent = String(day.callsHandled);
      handle.textContent = day.averageHandleSeconds === null ? '–' : formatWait(day.averageHandleSeconds);
      transferred.textContent = day.transferredShare === null ? '–' : `${Math.round(day.transferredShare * 100)} %`;
    } catch { /* the figures stay as they were; the next call's end reads them again */ }
    const again = reading.again;
    reading = null;
    if (again) refresh();
  }
  return { element, refresh };
}
