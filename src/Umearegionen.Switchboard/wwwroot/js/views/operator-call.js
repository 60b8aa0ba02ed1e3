import { api } from '../api.js';
import { swedishMessage } from '../errors.js';
import { h, formatTime, formatDateTime, formatWait, secondsSince, municipalityName } from '../dom.js';
import { openStatus, closedAction, stepsBox } from '../search.js';
import { formatPhone } from '../phone.js';
import { invoke } from '../hub.js';

// The call the operator has: where the caller dialled, the menu choice, the answers to read out for that choice
// (CallView.answers, docs/answers.md), the directory's suggestions with their open status and what to do when closed,
// and the notices that match the call. Beside each answer and each e-service of a suggested unit, "Skicka länk (SMS)"
// and "E-post" send the caller the link (hub SendGuidance, docs/guidance.md); "Skickade länkar" shows what was sent
// and its status as the service reports it (GuidanceUpdated).
// A suggestion from the service in the shape of a directory search hit, so both are shown and picked alike.
function asHit(s) {
  return {
    kind: s.kind, id: s.id, title: s.kind === 'person' ? s.name : s.unitName, unitId: s.unitId, unitName: s.unitName,
    phone: s.phone, email: s.email, openStatus: s.openStatus, openStatusUntil: s.closesAt ?? s.opensAt,
    whenClosed: s.whenClosed, eServices: s.eServices, referral: s.away ? { until: s.away.until, reason: s.away.reason, referTo: s.away.referTo, referToPhone: s.away.referToPhone } : null,
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

  const guidance = guidancePanel(() => call);

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
        const services = h('ul.eservices');
        // A suggestion carries its unit's e-services (CallView.suggestions[i].eServices); a search hit standing in does not.
        if (Array.isArray(hit.eServices)) showEServices(hit.unitId, hit.eServices, services);
        else if (hit.kind !== 'person' && hit.unitId) eServicesOf(hit.unitId, id, services);
        return h('li', {}, h('button.hit', { type: 'button', onclick: () => onPick(hit) },
          h('span.hit-title', {}, hit.kind === 'person' ? hit.title : hit.unitName),
          h('span.hit-contact', {}, formatPhone(hit.phone)),
          h(`span.badge.${open.tone}`, {}, open.text),
          open.tone !== 'ok' && hit.whenClosed?.kind !== 'none' ? h('span.hit-fallback', {}, `Vid stängt: ${closedAction(hit.whenClosed)}`) : null,
          transferredHere(hit)),
          services);
      }) : [h('li.muted', {}, 'Inga förslag för samtalet; sök i katalogen.')]));
    } catch (e) {
      suggestions.replaceChildren(h('li.muted', {}, swedishMessage(e)));
    }
  }

  // A suggested unit's e-services, each with the buttons that send its link and, when it has steps to read to the
  // caller, "Visa steg": the steps come with the e-service (steps) or, for a suggestion that carries only how many
  // there are (stepCount), from the unit in the directory when first shown.
  function showEServices(unitId, services, list) {
    list.replaceChildren(...services.map((s, i) => h('li.eservice', {},
      h('span', {}, 'E-tjänst: ', h('a', { href: s.url, target: '_blank', rel: 'noopener' }, s.name)),
      guidance.buttons(s.name, { unitId, eService: s.name }),
      s.steps?.length ? stepsBox(s.name, s.steps) : s.stepCount > 0 ? stepsBox(s.name, () => stepsOf(unitId, i, s.name)) : null)));
  }

  async function stepsOf(unitId, index, name) {
    const unit = await api(`/api/directory/units/${unitId}`);
    const services = unit.eServices ?? [];
    // The same order as the suggestion's, unless the unit changed meanwhile: then by name.
    return ((services[index]?.name === name ? services[index] : services.find(s => s.name === name))?.steps) ?? [];
  }

  // A unit's e-services read from the directory, for a search hit standing in for the suggestions.
  async function eServicesOf(unitId, callId, list) {
    try {
      const unit = await api(`/api/directory/units/${unitId}`);
      if (call?.id !== callId) return;
      showEServices(unitId, unit.eServices ?? [], list);
    } catch {
      list.replaceChildren();
    }
  }

  function show(next) {
    const changed = next?.id !== call?.id;
    // A push of the same call (CallUpdated, e.g. the caller hanging up) comes without its answers (null): keep those shown.
    if (!changed && next && next.answers == null && call?.answers) next = { ...next, answers: call.answers };
    // That the caller left never goes back: a resync read before the hang-up can answer after its push.
    if (!changed && next && !next.callerLeftAt && call?.callerLeftAt) next = { ...next, callerLeftAt: call.callerLeftAt };
    call = next;
    if (changed) guidance.reset(call);
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
            'Besvarat med svar'),
          guidance.buttons(a.question, { answerId: a.id }))))) : null,
      guidance.element,
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
  return { element, head, show, tick, refresh: loadSuggestions, guidanceUpdated: g => guidance.updated(g) };
}

const GUIDANCE_STATUS = { queued: 'Köad', sent: 'Skickad', failed: 'Misslyckades' };
const CHANNEL = { sms: 'SMS', email: 'E-post' };

// Sending the caller a link: the buttons beside an answer or an e-service open a small form with the recipient
// (for SMS the caller's number, which the operator can change; for e-mail the address the caller gives), and the
// list of what was sent during the call with its status, updated as the service reports it.
function guidancePanel(currentCall) {
  const sent = new Map();
  const list = h('ul', { id: 'guidance-sent' });
  const form = h('form', { id: 'guidance-form', hidden: true });
  const element = h('section.guidance', { 'aria-labelledby': 'guidance-title' },
    h('h4', { id: 'guidance-title' }, 'Skickade länkar'), form,
    h('div', { 'aria-live': 'polite' }, list));

  function render() {
    const items = [...sent.values()].sort((a, b) => new Date(a.queuedAt) - new Date(b.queuedAt));
    list.replaceChildren(...(items.length ? items.map(g => h('li', { dataset: { status: g.status }, id: `guidance-${g.id}` },
      `${CHANNEL[g.channel] ?? g.channel} till ${g.recipient ? (g.channel === 'sms' ? formatPhone(g.recipient) : g.recipient) : 'borttaget'}: ${g.title} – `,
      h(`span.badge.${g.status === 'sent' ? 'ok' : g.status === 'failed' ? 'bad' : 'warn'}`, {},
        g.status === 'sent' ? `${GUIDANCE_STATUS.sent} ${formatTime(g.sentAt)}` : GUIDANCE_STATUS[g.status] ?? g.status),
      g.error ? h('span.muted', {}, g.status === 'failed' ? ` Orsak: ${g.error}` : ` Försöker igen (${g.attempts} försök): ${g.error}`) : null))
      : [h('li.muted', {}, 'Inga länkar skickade under samtalet.')]));
  }

  function open(title, what, channel) {
    const call = currentCall();
    if (!call) return;
    const sms = channel === 'sms';
    const caller = call.callerNumber && call.callerNumber !== 'anonymous' ? formatPhone(call.callerNumber) : '';
    const to = h('input', { id: 'guidance-to', name: 'to', type: sms ? 'tel' : 'email', autocomplete: 'off', required: !sms,
      value: sms ? caller : '' });
    const error = h('p.error', { id: 'guidance-error', role: 'alert' });
    const submit = h('button', { type: 'submit' }, sms ? 'Skicka SMS' : 'Skicka e-post');
    form.onsubmit = async event => {
      event.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      try {
        const value = to.value.trim();
        const view = await invoke('SendGuidance', { callId: call.id, channel, ...what, to: value === caller && sms ? null : value || null });
        updated(view);
        form.hidden = true;
      } catch (e) {
        error.textContent = swedishMessage(e);
        submit.disabled = false;
        to.focus();
      }
    };
    form.replaceChildren(
      h('p', {}, `Skicka ”${title}” med ${sms ? 'SMS' : 'e-post'}`),
      h('label', { for: 'guidance-to' }, sms ? 'Mobilnummer' : 'E-postadress'), to,
      submit, h('button', { type: 'button', onclick: () => { form.hidden = true; } }, 'Avbryt'), error);
    form.hidden = false;
    to.focus();
  }

  function updated(view) {
    if (view.callId !== currentCall()?.id) return;
    const known = sent.get(view.id);
    // Pushes may overtake each other: a later attempt never gives way to an earlier one.
    if (known && (known.attempts > view.attempts || (known.status !== 'queued' && view.status === 'queued'))) return;
    sent.set(view.id, view);
    render();
  }

  async function reset(call) {
    sent.clear();
    form.hidden = true;
    render();
    if (!call) return;
    try {
      for (const g of await invoke('GetGuidance', call.id)) updated(g);
    } catch {
      // The list fills as links are sent; an older service has no GetGuidance.
    }
  }

  const buttons = (title, what) => h('span.guidance-buttons', {},
    h('button.small', { type: 'button', 'aria-label': `Skicka länk (SMS): ${title}`, onclick: () => open(title, what, 'sms') }, 'Skicka länk (SMS)'),
    h('button.small', { type: 'button', 'aria-label': `E-post: ${title}`, onclick: () => open(title, what, 'email') }, 'E-post'));

  return { element, buttons, updated, reset };
}
