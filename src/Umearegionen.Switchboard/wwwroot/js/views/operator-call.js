import { api } from '../api.js';
import { swedishMessage } from '../errors.js';
import { h, formatTime, formatDateTime, formatWait, secondsSince, municipalityName } from '../dom.js';
import { openStatus, closedAction } from '../search.js';
import { formatPhone } from '../phone.js';

// The call the operator has: where the caller dialled, the menu choice, the answers to read out for that choice
// (CallView.answers, docs/answers.md), the directory's suggestions with their open status and what to do when closed,
// and the notices that match the call.
// A suggestion from the service in the shape of a directory search hit, so both are shown and picked alike.
function asHit(s) {
  return {
    kind: s.kind, id: s.id, title: s.kind === 'person' ? s.name : s.unitName, unitId: s.unitId, unitName: s.unitName,
    phone: s.phone, email: s.email, openStatus: s.openStatus, openStatusUntil: s.closesAt ?? s.opensAt,
    whenClosed: s.whenClosed, referral: s.away ? { until: s.away.until, reason: s.away.reason, referTo: s.away.referTo, referToPhone: s.away.referToPhone } : null,
  };
}

export function callPanel({ onPick, onAnswer }) {
  const body = h('div', { id: 'call-body' });
  // The call's facts (municipality, numbers, menu choice, times) are a block of their own at the top of the column,
  // which stays in view (sticky) while the operator scrolls through the suggestions and the form below.
  const facts = h('div', { id: 'call-facts' });
  const head = h('div.panel.call.call-head', {}, h('h3', { id: 'call-title' }, 'Pågående samtal'), facts);
  const element = h('section.panel.call', { 'aria-labelledby': 'call-title' }, body);
  let call = null;
  let talkTime = null;
  let suggestionsFor = null;
  const suggestions = h('ul.hits.suggestions', { 'aria-label': 'Förslag ur katalogen' });

  // The service proposes destinations when the call is accepted (CallView.suggestions: the dialled
  // municipality's units for the menu choice, each with open status and fallback); without them
  // (an older answer), the directory search on the menu choice stands in.
  async function loadSuggestions() {
    if (!call) { suggestions.replaceChildren(); return; }
    const id = call.id;
    try {
      let hits;
      if (call.suggestions?.length) {
        hits = call.suggestions.map(asHit);
      } else if (call.menuTopic) {
        const params = new URLSearchParams({ q: call.menuTopic, limit: '3' });
        if (call.municipalityCode) params.set('municipality', call.municipalityCode);
        hits = await api(`/api/directory/search?${params}`);
      } else {
        hits = [];
      }
      if (call?.id !== id) return;
      const seen = new Set();
      const unique = hits.filter(hit => { const key = hit.kind === 'person' ? hit.id : hit.unitId; return !seen.has(key) && seen.add(key); });
      suggestions.replaceChildren(...(unique.length ? unique.map(hit => {
        const open = openStatus(hit);
        return h('li', {}, h('button.hit', { type: 'button', onclick: () => onPick(hit) },
          h('span.hit-title', {}, hit.kind === 'person' ? hit.title : hit.unitName),
          h('span.hit-contact', {}, formatPhone(hit.phone)),
          h(`span.badge.${open.tone}`, {}, open.text),
          open.tone !== 'ok' && hit.whenClosed?.kind !== 'none' ? h('span.hit-fallback', {}, `Vid stängt: ${closedAction(hit.whenClosed)}`) : null));
      }) : [h('li.muted', {}, 'Inga förslag för samtalet; sök i katalogen.')]));
    } catch (e) {
      suggestions.replaceChildren(h('li.muted', {}, swedishMessage(e)));
    }
  }

  function show(next) {
    call = next;
    if (!call) {
      facts.replaceChildren();
      body.replaceChildren(h('p.muted', {}, 'Inget samtal just nu. Samtal erbjuds när du är tillgänglig (1).'));
      suggestionsFor = null;
      return;
    }
    talkTime = h('dd', { id: 'call-talk-time' });
    facts.replaceChildren(
      h('dl.facts', {},
        h('dt', {}, 'Kommun'), h('dd', { id: 'call-municipality' }, municipalityName(call.municipalityCode)),
        h('dt', {}, 'Slaget nummer'), h('dd', { id: 'call-dialled' }, formatPhone(call.dialledNumber)),
        h('dt', {}, 'Menyval'), h('dd', { id: 'call-topic' }, call.menuTopic ?? 'Inget'),
        h('dt', {}, 'Uppringare'), h('dd', { id: 'call-caller' }, call.callerNumber === 'anonymous' ? 'Dolt nummer' : formatPhone(call.callerNumber)),
        h('dt', {}, 'Besvarat'), h('dd', {}, formatTime(call.answeredAt)),
        h('dt', {}, 'Samtalstid'), talkTime,
        call.priority > 0 ? [h('dt', {}, 'Prioritet'), h('dd', {}, String(call.priority))] : null));
    body.replaceChildren(...[
      call.callerLeftAt ? h('p.badge.bad', { role: 'alert' }, `Den som ringde lade på ${formatTime(call.callerLeftAt)}`) : null,
      call.consultation ? h('p.badge.warn', {}, `Förfrågan pågår till ${call.consultation.name}`) : null,
      call.notices?.length ? h('div.call-notices', { role: 'alert' }, h('h4', {}, 'Driftstörning som gäller samtalet'),
        call.notices.map(n => h('p.notice', {}, n.text, h('span.muted', {}, ` (till ${formatDateTime(n.expiresAt)})`)))) : null,
      call.answers?.length ? h('section.call-answers', { 'aria-labelledby': 'call-answers-title' },
        h('h4', { id: 'call-answers-title' }, 'Svar att läsa upp'),
        h('ul.hits', {}, call.answers.map((a, i) => h('li.hit', { dataset: { kind: 'answer', answerId: a.id } },
          h('span.hit-title', { id: `call-answer-${i}` }, a.question), h('span.hit-answer', {}, a.answer),
          a.unitName ? h('span.muted', {}, ` (${a.unitName})`) : null,
          // Ends the call as answered with this answer (docs/dashboard.md): opens the finishing form with it chosen.
          h('button.small.answer-with', { type: 'button', 'aria-describedby': `call-answer-${i}`, onclick: () => onAnswer?.(a) },
            'Besvarat med svar'))))) : null,
      h('h4', {}, 'Förslag ur katalogen'), suggestions].filter(Boolean));
    if (suggestionsFor !== call.id) { suggestionsFor = call.id; suggestions.replaceChildren(); loadSuggestions(); }
    tick();
  }

  function tick() {
    // The talk time stops when the caller hangs up; the operator still finishes the call.
    if (call && talkTime) {
      const from = call.answeredAt ?? call.queuedAt;
      talkTime.textContent = formatWait(call.callerLeftAt ? (new Date(call.callerLeftAt) - new Date(from)) / 1000 : secondsSince(from));
    }
  }

  show(null);
  return { element, head, show, tick, refresh: loadSuggestions };
}
