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

// How an earlier call ended, and a past moment as a person says it: "i dag 09:12", "i går 14:05", "i måndags 10:00"
// within the past week, else "2026-11-28 10:00".
const OUTCOMES = { transferred: 'Kopplat', answered: 'Besvarat av växeln', callback: 'Återuppringning bokad', message: 'Meddelande',
  fault_report: 'Felanmälan', abandoned: 'Lade på innan svar' };
const DAY_MS = 24 * 3600 * 1000;
const localDay = at => at.toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
const weekday = new Intl.DateTimeFormat('sv-SE', { weekday: 'long', timeZone: 'Europe/Stockholm' });
export function pastWhenText(at, now = new Date()) {
  const day = localDay(at);
  const word = day === localDay(now) ? 'i dag' : day === localDay(new Date(now.getTime() - DAY_MS)) ? 'i går'
    : now - at < 6.5 * DAY_MS ? `i ${weekday.format(at)}s` : day;
  return `${word} ${formatTime(at)}`;
}

// Where an earlier call went: the destination, its unit when that is another name, and the municipality.
function placeOf(contact) {
  const parts = [contact.toName, contact.unitName !== contact.toName ? contact.unitName : null, contact.municipalityName];
  return parts.filter(Boolean).join(', ');
}

export function callPanel({ onPick, loadContacts, onAnswer }) {
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
  // The caller's earlier calls (CallView.recentContacts, docs/hub.md "Recent contacts"), kept for the call: a push
  // of the call (CallUpdated) comes without them. Without them on a call shown first, GetRecentContacts reads them.
  const recent = h('div', { id: 'recent-contacts' });
  let contacts = { id: null, list: null };

  function drawContacts() {
    const list = call && contacts.id === call.id ? contacts.list : null;
    if (!list?.length) { recent.replaceChildren(); return; }
    const transfer = list.find(c => c.outcome === 'transferred');
    recent.replaceChildren(
      transfer ? h('p.recent-warning', { id: 'recent-warning', role: 'status' },
        `Kopplades till ${placeOf(transfer) || 'ett nummer'} ${pastWhenText(new Date(transfer.at))} – kontrollera att det är rätt enhet.`,
        transfer.bouncedBack ? ' Den som ringer kom tillbaka till växeln strax efter.' : '') : null,
      h('details.recent-contacts', { open: true },
        h('summary', { id: 'recent-title' }, `Tidigare samtal från numret (${list.length})`),
        h('ul.recent-list', { 'aria-labelledby': 'recent-title' }, list.map(c => h('li', {},
          h('span.recent-when', {}, pastWhenText(new Date(c.at))), ' ',
          h('span.recent-outcome', {}, OUTCOMES[c.outcome] ?? c.outcome),
          placeOf(c) ? ` – ${placeOf(c)}` : '',
          c.bouncedBack ? h('span.badge.warn', {}, 'Kom tillbaka') : null)))));
  }

  // A suggestion the caller was recently transferred to says so, so the operator thinks twice before sending them there again.
  function transferredHere(hit) {
    const list = call && contacts.id === call.id ? contacts.list : null;
    const earlier = list?.find(c => c.outcome === 'transferred' && c.unitId && c.unitId === hit.unitId
      && (hit.kind !== 'person' || c.toKind !== 'person' || c.toName === hit.title));
    return earlier ? h('span.badge.warn.transferred-here', {}, `Kopplades hit ${pastWhenText(new Date(earlier.at))}`) : null;
  }

  async function showContacts(next) {
    if (Array.isArray(next.recentContacts)) { contacts = { id: next.id, list: next.recentContacts }; drawContacts(); return; }
    if (contacts.id === next.id) { drawContacts(); return; }
    contacts = { id: next.id, list: null };
    drawContacts();
    try {
      const list = await loadContacts?.(next.id);
      if (contacts.id === next.id && Array.isArray(list)) { contacts.list = list; drawContacts(); loadSuggestions(); }
    } catch { /* the call is handled without them; the next show tries again */ contacts = { id: null, list: null }; }
  }

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
          open.tone !== 'ok' && hit.whenClosed?.kind !== 'none' ? h('span.hit-fallback', {}, `Vid stängt: ${closedAction(hit.whenClosed)}`) : null,
          transferredHere(hit)));
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
      recent,
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
    showContacts(call);
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
