import { h } from '../dom.js';
import { formatPhone } from '../phone.js';
import { hubError, swedishMessage } from '../errors.js';
import { markFieldErrors, clearFieldErrors } from '../form.js';

// The hub's field names (docs/hub.md) to the finishing form's controls, so a refusal is shown beside its field.
const FINISH_FIELDS = {
  'destination.number': 'f-number', destination: 'f-number', 'destination.id': 'f-number', mode: 'f-mode', wrapUpCategory: 'f-category',
  note: 'f-note', windowStart: 'f-start', windowEnd: 'f-end', 'windowStart/windowEnd': 'f-start', callerName: 'f-caller-name',
  callerNumber: 'f-caller-number', recipientName: 'f-recipient', recipientEmail: 'f-email', text: 'f-text', what: 'f-what',
  location: 'f-location', municipalityCode: 'f-municipality', contactNumber: 'f-contact-number', contactName: 'f-contact-name',
};

// The served municipalities by code, for the fault report's municipality.
let municipalityNames = () => new Map();
export function useMunicipalities(list) {
  municipalityNames = () => new Map(list.filter(m => m.servedBySwitchboard).map(m => [m.code, m.name]));
}

export const WRAP_UP_CATEGORIES = ['Kopplat vidare', 'Information lämnad', 'Hänvisat till e-tjänst', 'Återuppringning bokad',
  'Meddelande lämnat', 'Felanmälan', 'Felringt', 'Övrigt'];

const KINDS = {
  transfer: { key: 't', title: 'Koppla', category: 'Kopplat vidare' },
  answered: { key: 'b', title: 'Besvarat', category: 'Information lämnad' },
  callback: { key: 'r', title: 'Återuppringning', category: 'Återuppringning bokad' },
  message: { key: 'm', title: 'Meddelande', category: 'Meddelande lämnat' },
  fault: { key: 'f', title: 'Felanmälan', category: 'Felanmälan' },
};

// Ending the current call in each way routing defines, always with a wrap-up category; keyboard first.
export function finishForm({ invoke, tryInvoke, report, onDone, onCall }) {
  let call = null;
  let destination = null;
  let answer = null; // the answer (CallView.answers) the call is answered with, if the operator chose one
  let kind = 'transfer';
  const tabs = Object.entries(KINDS).map(([k, { key, title }]) =>
    h('button.tab', { type: 'button', dataset: { kind: k }, 'aria-keyshortcuts': key.toUpperCase(), onclick: () => open(k, 'first') },
      h('kbd', {}, key.toUpperCase()), ` ${title}`));
  const form = h('form.grid.finish', { id: 'finish', novalidate: true });
  const error = h('p.error', { role: 'alert' });
  const element = h('section.panel', { 'aria-labelledby': 'finish-title', hidden: true },
    h('h3', { id: 'finish-title' }, 'Avsluta samtalet'),
    h('div.tabs', { role: 'group', 'aria-label': 'Sätt att avsluta' }, tabs), form, error);

  const input = (id, label, attrs = {}) => [h('label', { for: id }, label), h('input', { id, name: id, ...attrs })];
  const textarea = (id, label) => [h('label', { for: id }, label), h('textarea', { id, name: id, rows: 2 })];
  const category = () => [h('label', { for: 'f-category' }, 'Kategori'),
    h('select', { id: 'f-category', name: 'f-category' }, WRAP_UP_CATEGORIES.map(c =>
      h('option', { value: c, selected: c === KINDS[kind].category }, c)))];
  const destinationText = () => destination
    ? `${destination.name}${destination.number ? ` (${formatPhone(destination.number)})` : ''}`
    : 'Inget valt – sök i katalogen och välj med Enter, eller skriv ett nummer';
  const localInput = date => new Date(date - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

  function fields() {
    const callerNumber = call?.callerNumber === 'anonymous' ? '' : call?.callerNumber ?? '';
    switch (kind) {
      case 'transfer': return [
        h('span.label', {}, 'Mål'), h('output', { id: 'f-destination' }, destinationText()),
        ...input('f-number', 'Eller nummer', { type: 'tel', autocomplete: 'off' }),
        h('label', { for: 'f-mode' }, 'Sätt'),
        h('select', { id: 'f-mode' }, h('option', { value: 'blind' }, 'Direkt (blind)'),
          h('option', { value: 'attended', selected: Boolean(call?.consultation) }, 'Efter förfrågan')),
        ...category(),
        // Passed to the receiving desk with the transfer (its phone shows it); kept with the call like any note.
        ...input('f-note', 'Till mottagaren', { maxlength: 500, autocomplete: 'off', 'aria-describedby': 'f-note-hint' }),
        h('p.field-hint.muted', { id: 'f-note-hint' }, 'Kort notering som visas för den som tar emot samtalet (högst 500 tecken).'),
        h('div.actions', {},
          call?.consultation
            ? h('button', { type: 'button', onclick: cancelConsultation }, 'Avbryt förfrågan')
            : h('button', { type: 'button', 'aria-keyshortcuts': 'K', onclick: consult }, 'Förfrågan (K)'),
          h('button.primary', { type: 'submit', id: 'f-submit' }, 'Koppla (Enter)'))];
      case 'answered': return [
        ...(answer ? [h('span.label', {}, 'Svar'), h('output', { id: 'f-answer' }, answer.question),
          h('button', { type: 'button', id: 'f-answer-clear', onclick: () => { answer = null; open('answered', 'first'); } }, 'Utan svar')] : []),
        ...category(), ...textarea('f-note', 'Anteckning'),
        h('button.primary', { type: 'submit', id: 'f-submit' }, answer ? 'Avsluta som besvarat med svar' : 'Avsluta som besvarat')];
      case 'callback': {
        const start = new Date(Date.now() + 15 * 60000);
        return [h('span.label', {}, 'Enhet'), h('output', { id: 'f-destination' }, destination ? destination.unitName : 'Välj enheten i katalogen'),
          ...input('f-start', 'Från', { type: 'datetime-local', value: localInput(start) }),
          ...input('f-end', 'Till', { type: 'datetime-local', value: localInput(new Date(start.getTime() + 2 * 3600000)) }),
          ...input('f-caller-name', 'Namn på den som ringer', { autocomplete: 'off' }),
          ...input('f-caller-number', 'Nummer att ringa', { type: 'tel', value: callerNumber }),
          ...textarea('f-note', 'Ärende'), ...category(),
          h('button.primary', { type: 'submit', id: 'f-submit' }, 'Boka återuppringning')];
      }
      case 'message': return [
        ...input('f-recipient', 'Mottagare', { value: destination?.name ?? '' }),
        ...input('f-email', 'Mottagarens e-post', { type: 'email', value: destination?.email ?? '' }),
        ...textarea('f-text', 'Meddelande'),
        ...input('f-caller-name', 'Namn på den som ringer', { autocomplete: 'off' }),
        ...input('f-caller-number', 'Nummer', { type: 'tel', value: callerNumber }),
        ...category(), h('button.primary', { type: 'submit', id: 'f-submit' }, 'Skicka meddelande')];
      default: return [
        ...textarea('f-what', 'Vad är fel'), ...input('f-location', 'Var'),
        h('label', { for: 'f-municipality' }, 'Kommun'),
        h('select', { id: 'f-municipality' }, [...municipalityNames()].map(([code, name]) =>
          h('option', { value: code, selected: code === call?.municipalityCode }, name))),
        ...input('f-contact-name', 'Kontaktperson', { autocomplete: 'off' }),
        ...input('f-contact-number', 'Kontaktnummer', { type: 'tel', value: callerNumber }),
        ...category(), h('button.primary', { type: 'submit', id: 'f-submit' }, 'Registrera felanmälan')];
    }
  }

  // focus: 'submit' (ready to confirm), 'first' (the first field) or 'none' (leave the operator where they are).
  function open(next, focus) {
    kind = next;
    for (const tab of tabs) tab.setAttribute('aria-pressed', String(tab.dataset.kind === kind));
    error.textContent = '';
    form.replaceChildren(...fields());
    if (focus === 'none') return;
    const target = focus === 'submit' && (kind !== 'transfer' || destination) ? form.querySelector('#f-submit') : form.querySelector('input, textarea, select');
    target?.focus();
  }

  const value = id => form.querySelector(`#${id}`)?.value.trim() || null;
  const chosenDestination = () => {
    const number = value('f-number');
    if (number) return { kind: 'number', id: null, number, name: number };
    return destination ? { kind: destination.kind, id: destination.id, number: destination.number, name: destination.name } : null;
  };

  async function consult() {
    const target = chosenDestination();
    if (!target) { error.textContent = 'Välj först vem du vill fråga.'; return; }
    const updated = await invoke('StartConsultation', { callId: call.id, destination: target });
    if (updated) { onCall(updated); open('transfer', 'submit'); }
  }
  async function cancelConsultation() {
    const updated = await invoke('CancelConsultation', call.id);
    if (updated) { onCall(updated); open('transfer', 'submit'); }
  }

  form.addEventListener('keydown', event => {
    if (event.key === 'Enter' && event.target instanceof HTMLSelectElement) { event.preventDefault(); form.requestSubmit(); }
    if (event.key === 'Enter' && event.ctrlKey) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    clearFieldErrors(form);
    const wrapUpCategory = value('f-category');
    const callId = call.id;
    let method, request, done;
    if (kind === 'transfer') {
      const target = chosenDestination();
      if (!target) { error.textContent = 'Välj ett mål i katalogen eller skriv ett nummer.'; return; }
      method = 'TransferCall';
      request = { callId, mode: value('f-mode'), destination: target, wrapUpCategory, note: value('f-note') };
      done = `Samtalet kopplades till ${target.name}.`;
    } else if (kind === 'answered') {
      method = 'AnswerCall'; request = { callId, wrapUpCategory, note: value('f-note'), answerId: answer?.id ?? null };
      done = answer ? `Samtalet avslutades som besvarat med svar: ${answer.question}.` : 'Samtalet avslutades som besvarat.';
    } else if (kind === 'callback') {
      if (!destination) { error.textContent = 'Välj enheten som ska ringa upp i katalogen.'; return; }
      const start = value('f-start'), end = value('f-end');
      if (!start || !end) { error.textContent = 'Ange när återuppringningen ska ske.'; return; }
      method = 'BookCallback';
      request = { callId, unitId: destination.unitId, unitName: destination.unitName, windowStart: new Date(start).toISOString(),
        windowEnd: new Date(end).toISOString(), wrapUpCategory, callerName: value('f-caller-name'),
        callerNumber: value('f-caller-number'), note: value('f-note') };
      done = `Återuppringning bokad hos ${destination.unitName}.`;
    } else if (kind === 'message') {
      method = 'TakeMessage';
      request = { callId, recipientKind: destination?.kind === 'person' ? 'person' : 'unit', recipientId: destination?.id ?? null,
        recipientName: value('f-recipient'), recipientEmail: value('f-email'), text: value('f-text'), wrapUpCategory,
        callerName: value('f-caller-name'), callerNumber: value('f-caller-number') };
      done = `Meddelandet till ${request.recipientName} skickas.`;
    } else {
      method = 'RegisterFaultReport';
      request = { callId, municipalityCode: value('f-municipality'), what: value('f-what'), location: value('f-location'),
        contactNumber: value('f-contact-number'), contactName: value('f-contact-name'), wrapUpCategory };
      done = 'Felanmälan registrerad.';
    }
    let result;
    try {
      result = await tryInvoke(method, request);
    } catch (e) {
      // A blind transfer to someone who is away: say so, and let the operator transfer anyway (Enter) once they
      // have told the caller, as routing allows with acknowledgeAway.
      if (method === 'TransferCall' && request.mode === 'blind' && hubError(e)?.code === 'person-away') {
        const anyway = h('button.primary', { type: 'button', id: 'f-transfer-anyway', onclick: async () => {
          const sent = await invoke(method, { ...request, acknowledgeAway: true });
          if (sent) await onDone(sent, `${done} Personen är borta; den som ringer vet om det.`);
        } }, 'Koppla ändå (Enter)');
        error.replaceChildren(swedishMessage(e), ' ', anyway);
        anyway.focus();
        return;
      }
      // A field the service refused is shown beside the field, not in the status line at the top.
      const marked = hubError(e)?.code === 'invalid' ? markFieldErrors(form, e, FINISH_FIELDS) : [];
      if (marked.length) {
        error.textContent = `Kontrollera ${marked.join(', ').toLowerCase()}.`;
        form.querySelector('[aria-invalid="true"]')?.focus();
        return;
      }
      report(e);
      return;
    }
    if (result) await onDone(result, done);
  });

  return {
    element,
    setCall(next) {
      const changed = next?.id !== call?.id;
      call = next;
      if (changed) answer = null;
      // The form of a call that ended leaves the focus at once: a field still focused while the browser gets round
      // to it would take the operator's next key (4 for Offline) as typing.
      if (!call && element.contains(document.activeElement)) document.activeElement.blur();
      element.hidden = !call;
      if (call && changed) open(destination ? 'transfer' : kind, 'none');
      else if (call && kind === 'transfer') form.querySelector('#f-destination')?.replaceChildren(destinationText());
    },
    setDestination(next) { destination = next; },
    // "Besvarat med svar" on one of the call's answers: the answered form with that answer, ready to confirm (Enter).
    answerWith(next) { answer = next; open('answered', 'submit'); },
    open,
    shortcut(key) {
      if (key === 'k') { if (kind !== 'transfer') open('transfer', 'none'); consult(); return true; }
      const found = Object.entries(KINDS).find(([, k]) => k.key === key);
      if (!found) return false;
      open(found[0], 'first');
      return true;
    },
  };
}
