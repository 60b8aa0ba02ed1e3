import { h, formatWait, secondsSince, municipalityName, formatDateTime } from '../dom.js';

// The queue: who waits, for how long, from which municipality; an operator may pick a waiting call.
export function queuePanel({ onTake }) {
  const summary = h('p', { id: 'queue-summary' }); // ticks every second: not a live region
  const rows = h('tbody', { id: 'queue-rows' });
  const element = h('section.panel.queue', { 'aria-labelledby': 'queue-title' },
    h('h3', { id: 'queue-title' }, 'Kön'), summary,
    h('table.list.compact', {}, h('caption.sr', {}, 'Väntande samtal, först i kön överst'),
      h('thead', {}, h('tr', {}, ['Kommun', 'Menyval', 'Väntat', ''].map(t => h('th', { scope: 'col' }, t)))), rows));
  const waits = [];
  let snapshot = null;

  function show(next) {
    snapshot = next;
    waits.length = 0;
    rows.replaceChildren(...next.calls.map(call => {
      const wait = h('td.num', {});
      waits.push([wait, call.queuedAt]);
      return h('tr', { dataset: { state: call.state } },
        h('td', {}, municipalityName(call.municipalityCode), call.priority > 0 ? h('span.badge.warn', {}, ` P${call.priority}`) : null),
        h('td', {}, call.menuTopic ?? '–'), wait,
        h('td', {}, call.state === 'offered' ? h('span.muted', {}, 'Erbjuds')
          : h('button.small', { type: 'button', onclick: () => onTake(call.id), 'aria-label': `Ta samtalet från ${municipalityName(call.municipalityCode)}` }, 'Ta')));
    }));
    tick();
  }

  function tick() {
    if (!snapshot) return;
    const longest = snapshot.length ? snapshot.longestWaitSeconds + secondsSince(snapshot.at) : 0;
    summary.textContent = snapshot.length === 0 ? 'Ingen väntar.'
      : `${snapshot.length} väntar · längst ${formatWait(longest)}`
        + (snapshot.length > snapshot.calls.length ? ` · visar de ${snapshot.calls.length} första` : '');
    for (const [cell, at] of waits) cell.textContent = formatWait(secondsSince(at));
  }

  return { element, show, tick };
}

// Disruption notices in force, pinned for operators.
export function noticesPanel() {
  const list = h('ul.notices', { id: 'notices' });
  const element = h('section.panel', { 'aria-labelledby': 'notices-title' }, h('h3', { id: 'notices-title' }, 'Driftstörningar'), list);
  function show(notices) {
    list.replaceChildren(...(notices.length ? notices.map(n => h('li.notice', {},
      h('strong', {}, municipalityName(n.municipalityCode)), n.topics.length ? ` · ${n.topics.join(', ')}` : ' · alla ämnen',
      h('p', {}, n.text), h('span.muted', {}, `Gäller till ${formatDateTime(n.expiresAt)}`))) : [h('li.muted', {}, 'Inga driftstörningar.')]));
  }
  show([]);
  return { element, show };
}
