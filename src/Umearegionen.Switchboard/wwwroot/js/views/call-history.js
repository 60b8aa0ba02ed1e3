import { api } from '../api.js';
import { swedishMessage } from '../errors.js';
import { markFieldErrors, clearFieldErrors } from '../form.js';
import { h, formatDateTime, formatWait, municipalityNames, municipalityName } from '../dom.js';
import { formatPhone } from '../phone.js';

// A number as operators read it; absent stays absent (personal() says why).
const formatPhoneOrNull = n => (n === null || n === undefined ? n : formatPhone(n));

const OUTCOMES = { transferred: 'Kopplat', answered: 'Besvarat av växeln', callback: 'Återuppringning', message: 'Meddelande',
  fault_report: 'Felanmälan', abandoned: 'Avbrutet av den som ringde' };
const STATES = { queued: 'I kö', offered: 'Erbjuds', connected: 'Pågår', completed: 'Avslutat', abandoned: 'Avbrutet' };
const OFFER_ENDED = { accepted: 'tog samtalet', declined: 'lämnade tillbaka det', timed_out: 'svarade inte i tid',
  withdrawn: 'den som ringde lade på', open: 'väntar på svar' };
const REMOVED = 'borttaget';
// A step's time to the second: support compares it with what the caller says and with the platform's logs.
const toTheSecond = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Stockholm' });

// A personal field as the reader may see it: the value, "borttaget" (retention or erasure) or "dolt" (not for this role).
export function personal(value, status) {
  if (status === 'hidden') return 'dolt';
  if (value === null || value === undefined) return status === 'removed' ? REMOVED : '–';
  return value;
}

// One step of a call's life in Swedish, from what the service says it names (type, who, where to).
export function stepText(e) {
  const who = e.actorName ?? { telephony: 'Telefonin', dispatcher: 'Växeln', intake: 'Växeln', sweeper: 'Växeln' }[e.actor] ?? 'Någon';
  const to = e.to?.name ?? 'okänt mål';
  const category = e.wrapUpCategory ? ` Kategori: ${e.wrapUpCategory}.` : '';
  switch (e.type) {
    case 'received': return 'Samtalet kom in.';
    case 'offered': return `Erbjöds ${e.operatorName ?? 'en telefonist'} – ${OFFER_ENDED[e.offerEnded] ?? e.offerEnded}.`;
    case 'offer_declined': return `${who} lämnade tillbaka erbjudandet.`;
    case 'offer_timed_out': return `Erbjudandet till ${e.operatorName ?? 'telefonisten'} besvarades inte i tid.`;
    case 'accepted': return `${who} tog samtalet.`;
    case 'consultation_started': return `${who} gjorde en förfrågan hos ${to} medan den som ringde väntade.`;
    case 'consultation_cancelled': return `${who} avbröt förfrågan och gick tillbaka till den som ringde.`;
    case 'destination_closed': return `${to} var stängd; kopplingen nekades.`;
    case 'destination_away': return 'Personen var borta; direktkopplingen nekades.';
    case 'platform_answered': return 'Telefonisten svarade i telefonen.';
    case 'platform_transferred': return 'Telefonin kopplade samtalet.';
    case 'platform_ended': return 'Samtalet avslutades i telefonin.';
    case 'completed':
      switch (e.outcome) {
        case 'transferred': return `${who} kopplade samtalet ${e.transferMode === 'attended' ? 'efter förfrågan' : 'direkt'} till ${to}.${category}`;
        case 'answered': return e.answerQuestion ? `Besvarad med svar: ${e.answerQuestion} (${who}).${category}` : `${who} besvarade samtalet själv.${category}`;
        case 'callback': return `${who} bokade återuppringning från ${to}.${category}`;
        case 'message': return `${who} tog ett meddelande till ${to}.${category}`;
        case 'fault_report': return `${who} registrerade en felanmälan.${category}`;
        default: return `${who} avslutade samtalet.${category}`;
      }
    default: return e.summary;
  }
}

// datetime-local (Swedish local time in the browser) as an instant with its offset, so the service needs no guessing.
function instant(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

// Managers and administrators: find a call by time, platform id or (administrators) the caller's number; open its life.
export default {
  id: 'samtalshistorik',
  title: 'Samtalshistorik',
  roles: ['manager', 'administrator'],
  async render(container, { user }) {
    await municipalityNames();
    const admin = user.role === 'administrator';
    const field = (id, label, attrs = {}) => h('span', {}, h('label', { for: id }, label), h('input', { id, name: id, autocomplete: 'off', ...attrs }));
    const form = h('form.stats-query', { id: 'ch-form', novalidate: true },
      h('div.stats-fields', {},
        field('ch-from', 'Från', { type: 'datetime-local' }),
        field('ch-to', 'Till', { type: 'datetime-local' }),
        field('ch-platform', 'Samtals-id (telefonins)'),
        admin ? field('ch-number', 'Telefonnummer', { inputmode: 'tel' }) : null),
      admin
        ? h('p.muted', {}, 'Varje sökning på nummer och varje samtal du öppnar med numret registreras i åtkomstloggen.')
        : h('p.muted', {}, 'Som chef ser du samtalen utan den uppringandes nummer och fritext.'),
      h('div.actions', {}, h('button.primary', { type: 'submit' }, 'Sök')),
      h('p.error', { id: 'ch-error', role: 'alert' }));
    const status = h('p.muted', { id: 'ch-status', role: 'status' });
    const body = h('tbody', { id: 'ch-rows' });
    const more = h('button', { type: 'button', id: 'ch-more', hidden: true }, 'Visa fler');
    const table = h('table.list', { id: 'ch-list', hidden: true },
      h('caption', {}, 'Samtal, senaste först'),
      h('thead', {}, h('tr', {}, ['Kom in', 'Kommun', 'Menyval', 'Läge', 'Utfall', 'Telefonist', admin ? 'Nummer' : null, 'Visa']
        .filter(Boolean).map(text => h('th', { scope: 'col' }, text)))),
      body);
    const detail = h('section', { id: 'ch-detail', 'aria-labelledby': 'ch-detail-title', hidden: true });
    container.append(h('h2', {}, 'Samtalshistorik'), form, status, table, more, detail);

    let next = null;
    let query = null;
    const error = form.querySelector('#ch-error');

    async function search(append) {
      error.textContent = '';
      clearFieldErrors(form);
      const params = new URLSearchParams(query);
      if (append && next) params.set('before', next);
      status.textContent = 'Söker …';
      try {
        const page = await api(`/api/calls?${params}`);
        if (!append) body.replaceChildren();
        body.append(...page.calls.map(row));
        next = page.nextBefore;
        more.hidden = !next;
        table.hidden = false;
        const shown = body.children.length;
        status.textContent = shown ? `${shown} samtal${next ? ', fler finns' : ''}.` : 'Inga samtal hittades.';
      } catch (e) {
        status.textContent = '';
        error.textContent = swedishMessage(e);
        markFieldErrors(form, e, { from: 'ch-from', to: 'ch-to', platformCallId: 'ch-platform', number: 'ch-number' });
      }
    }

    function row(call) {
      const open = h('button.small', { type: 'button', 'aria-label': `Visa samtalet som kom in ${formatDateTime(call.queuedAt)}`,
        onclick: () => show(call.id) }, 'Visa');
      return h('tr', {},
        h('td', {}, formatDateTime(call.queuedAt)),
        h('td', {}, municipalityName(call.municipalityCode)),
        h('td', {}, call.menuTopic ?? '–'),
        h('td', {}, STATES[call.state] ?? call.state),
        h('td', {}, OUTCOMES[call.outcome] ?? '–'),
        h('td', {}, call.operatorName ?? '–'),
        admin ? h('td', {}, personal(formatPhoneOrNull(call.callerNumber), call.callerNumberStatus)) : null,
        h('td', {}, open));
    }

    async function show(id) {
      error.textContent = '';
      try {
        const history = await api(`/api/calls/${encodeURIComponent(id)}`);
        detail.replaceChildren(...describe(history, admin));
        detail.hidden = false;
        detail.querySelector('#ch-detail-title').focus();
      } catch (e) {
        error.textContent = swedishMessage(e);
      }
    }

    form.addEventListener('submit', event => {
      event.preventDefault();
      const value = id => form.querySelector(`#${id}`)?.value.trim() ?? '';
      query = new URLSearchParams();
      const from = instant(value('ch-from')), to = instant(value('ch-to'));
      if (from) query.set('from', from);
      if (to) query.set('to', to);
      if (value('ch-platform')) query.set('platformCallId', value('ch-platform'));
      if (admin && value('ch-number')) query.set('number', value('ch-number'));
      detail.hidden = true;
      search(false);
    });
    more.addEventListener('click', () => search(true));
    query = new URLSearchParams();
    // Managers see the latest calls at once; an administrator's list shows callers' numbers, so it waits until asked.
    if (admin) status.textContent = 'Sök på tid, samtals-id eller telefonnummer för att visa samtal.';
    else await search(false);
    return {};
  },
};

function describe(history, admin) {
  const call = history.call;
  const facts = [
    ['Kom in', formatDateTime(call.queuedAt)],
    ['Kommun', municipalityName(call.municipalityCode)],
    ['Slaget nummer', formatPhone(call.dialledNumber)],
    ['Menyval', call.menuTopic ?? '–'],
    ['Uppringande nummer', personal(formatPhoneOrNull(call.callerNumber), call.callerNumberStatus)],
    ['Läge', STATES[call.state] ?? call.state],
    ['Utfall', OUTCOMES[call.outcome] ?? '–'],
    ['Kategori', call.wrapUpCategory ?? '–'],
    ['Telefonist', call.operatorName ?? '–'],
    ['Väntetid', history.waitSeconds === null || history.waitSeconds === undefined ? '–' : formatWait(history.waitSeconds)],
    ['Samtalstid', history.handleSeconds === null || history.handleSeconds === undefined ? '–' : formatWait(history.handleSeconds)],
    ['Efterarbete', history.wrapUpSeconds === null || history.wrapUpSeconds === undefined ? '–' : formatWait(history.wrapUpSeconds)],
    ['Samtals-id (telefonins)', call.platformCallId],
  ];
  const parts = [
    h('h3', { id: 'ch-detail-title', tabindex: '-1' }, `Samtalet ${formatDateTime(call.queuedAt)}`),
    dl(facts),
    h('h4', {}, 'Förlopp'),
    h('ol.timeline', { id: 'ch-timeline' }, history.timeline.map(e => h('li', {},
      h('time', { datetime: e.at }, toTheSecond.format(new Date(e.at))), ' ', stepText(e),
      e.note ? h('span.muted', {}, ` Anteckning: ${e.note}`) : null))),
  ];
  const b = history.callback;
  if (b) {
    parts.push(h('h4', {}, 'Återuppringning'), dl([
      ['Enhet', b.unitName], ['Tid', `${formatDateTime(b.windowStart)}–${formatDateTime(b.windowEnd)}`],
      ['Bokad av', b.bookedByName ?? '–'], ['Nummer', personal(formatPhoneOrNull(b.callerNumber), b.personalData)],
      ['Namn', personal(b.callerName, b.personalData)], ['Anteckning', personal(b.note, b.personalData)],
      ['Uppföljning', b.followUp ? (b.followUp.result === 'kept' ? 'Återuppringd' : 'Inte återuppringd') : 'Inte uppföljd'],
    ]));
  }
  const m = history.message;
  if (m) {
    parts.push(h('h4', {}, 'Meddelande'), dl([
      ['Till', `${m.recipientName} (${m.recipientEmail})`], ['Taget av', m.takenByName ?? '–'],
      ['Skickat', m.sentAt ? formatDateTime(m.sentAt) : 'Inte skickat än'], ['Nummer', personal(formatPhoneOrNull(m.callerNumber), m.personalData)],
      ['Namn', personal(m.callerName, m.personalData)], ['Text', personal(m.text, m.personalData)],
    ]));
  }
  const f = history.faultReport;
  if (f) {
    parts.push(h('h4', {}, 'Felanmälan'), dl([
      ['Kommun', municipalityName(f.municipalityCode)], ['Registrerad av', f.registeredByName ?? '–'],
      ['Vad är fel', personal(f.what, f.personalData)], ['Var', personal(f.location, f.personalData)],
      ['Kontaktperson', personal(f.contactName, f.personalData)], ['Kontaktnummer', personal(formatPhoneOrNull(f.contactNumber), f.personalData)],
    ]));
  }
  if (!admin) parts.push(h('p.muted', {}, 'Nummer, namn och fritext visas bara för administratörer.'));
  return parts;
}

function dl(pairs) {
  return h('dl.facts', {}, pairs.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}
