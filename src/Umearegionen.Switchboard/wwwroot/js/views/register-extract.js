import { api, ApiError } from '../api.js';
import { downloadFile } from '../files.js';
import { swedishMessage } from '../errors.js';
import { markFieldErrors, clearFieldErrors } from '../form.js';
import { h, formatDateTime, municipalityNames, municipalityName } from '../dom.js';

const OUTCOMES = { transferred: 'Kopplat', answered: 'Besvarat av växeln', callback: 'Återuppringning', message: 'Meddelande',
  fault_report: 'Felanmälan', abandoned: 'Avbrutet' };
const EVENT_NAMES = { received: 'Samtalet kom in', offered: 'Erbjöds en telefonist', offer_declined: 'Erbjudandet lämnades tillbaka',
  offer_timed_out: 'Erbjudandet besvarades inte i tid', accepted: 'Telefonisten tog samtalet', consultation_started: 'Förfrågan',
  consultation_cancelled: 'Förfrågan avbröts', destination_closed: 'Mottagaren var stängd', destination_away: 'Mottagaren var borta',
  completed: 'Samtalet avslutades', platform_answered: 'Telefonen svarade', platform_transferred: 'Kopplat', platform_ended: 'Samtalet bröts',
  link_sent: 'Länk skickad' };
// Why an erasure kept a record (the service's codes), in Swedish.
export const KEPT_CODES = {
  'call-in-progress': 'samtalet pågår fortfarande',
  'callback-pending': 'återuppringningen är inte gjord än',
  'message-unsent': 'meddelandet är inte skickat än',
  'public-record': 'allmän handling som ska bevaras enligt kommunens dokumenthanteringsplan',
};
const KINDS = { call: 'Samtal', callback: 'Återuppringning', message: 'Meddelande', fault_report: 'Felanmälan', guidance: 'Skickad länk' };
const GUIDANCE_STATUS = { queued: 'Väntar', sent: 'Skickad', failed: 'Misslyckades' };
const removed = value => (value === null || value === undefined ? 'borttaget' : value);
const optional = value => (value === null || value === undefined || value === '' ? '–' : value);

// Administrators: everything stored about a phone number or a name (GDPR art. 15), as a page and as CSV, and erasure.
export default {
  id: 'registerutdrag',
  title: 'Registerutdrag',
  roles: ['administrator'],
  async render(container) {
    await municipalityNames();
    const radio = (value, label, checked) => h('label', {},
      h('input', { type: 'radio', name: 're-kind', value, checked, id: `re-kind-${value}` }), ` ${label}`);
    const subject = h('input', { id: 're-subject', autocomplete: 'off', inputmode: 'tel', required: true, 'aria-describedby': 're-help' });
    const subjectLabel = h('label', { for: 're-subject' }, 'Telefonnummer');
    const form = h('form.stats-query', { id: 're-form', novalidate: true },
      h('fieldset', {}, h('legend', {}, 'Sök på'), radio('number', 'Telefonnummer', true), ' ', radio('name', 'Namn', false)),
      h('div.stats-fields', {}, h('span', {}, subjectLabel, subject)),
      h('p.muted', { id: 're-help' }, 'Ett nummer hittas hur det än är skrivet; ett namn oavsett stora och små bokstäver och mellanslag. '
        + 'Utdraget registreras i åtkomstloggen.'),
      h('div.actions', {},
        h('button.primary', { type: 'submit' }, 'Visa utdrag'),
        h('button', { type: 'button', id: 're-csv' }, 'Ladda ner CSV')),
      h('p.muted', { id: 're-status', role: 'status' }),
      h('p.error', { id: 're-error', role: 'alert' }));
    const result = h('section', { id: 're-result', 'aria-labelledby': 're-result-title', hidden: true });
    const erasure = erasureSection();
    container.append(h('h2', {}, 'Registerutdrag'), form, result, erasure.section);

    const status = form.querySelector('#re-status');
    const error = form.querySelector('#re-error');
    const kind = () => form.querySelector('input[name="re-kind"]:checked').value;
    for (const input of form.querySelectorAll('input[name="re-kind"]')) {
      input.addEventListener('change', () => {
        subjectLabel.textContent = kind() === 'number' ? 'Telefonnummer' : 'Namn';
        subject.setAttribute('inputmode', kind() === 'number' ? 'tel' : 'text');
      });
    }

    // The subject as asked, or null after saying what is missing.
    function asked() {
      error.textContent = '';
      clearFieldErrors(form);
      const value = subject.value.trim();
      if (!value) {
        error.textContent = kind() === 'number' ? 'Skriv telefonnumret.' : 'Skriv namnet.';
        subject.setAttribute('aria-invalid', 'true');
        subject.focus();
        return null;
      }
      subject.removeAttribute('aria-invalid');
      return { kind: kind(), value };
    }

    async function show(wanted) {
      status.textContent = 'Hämtar utdraget …';
      try {
        const extract = await api(`/api/personal-data/extract?${new URLSearchParams({ [wanted.kind]: wanted.value })}`);
        result.replaceChildren(...describe(extract));
        result.hidden = false;
        status.textContent = `${extract.recordCount} poster hittades.`;
        erasure.offer(wanted);
        result.querySelector('#re-result-title').focus();
      } catch (e) {
        status.textContent = '';
        error.textContent = swedishMessage(e);
        if (e instanceof ApiError) markFieldErrors(form, e, { number: 're-subject', name: 're-subject' });
      }
    }

    form.addEventListener('submit', event => {
      event.preventDefault();
      const wanted = asked();
      if (wanted) show(wanted);
    });
    form.querySelector('#re-csv').addEventListener('click', async () => {
      const wanted = asked();
      if (!wanted) return;
      status.textContent = 'Hämtar filen …';
      try {
        const name = await downloadFile(`/api/personal-data/extract?${new URLSearchParams({ [wanted.kind]: wanted.value, format: 'csv' })}`);
        status.textContent = `Filen ${name} är sparad.`;
      } catch (e) {
        status.textContent = '';
        error.textContent = `Filen kunde inte hämtas. ${swedishMessage(e)}`;
      }
    });
    erasure.onErased = wanted => show(wanted);
    return {};
  },
};

function describe(extract) {
  const what = extract.subject.kind === 'number' ? `telefonnummer ${extract.subject.value}` : `namnet ”${extract.subject.value}”`;
  const parts = [
    h('h3', { id: 're-result-title', tabindex: '-1' }, `Utdrag för ${what}`),
    h('p', {}, `Taget ${formatDateTime(extract.takenAt)}: ${extract.recordCount} poster.`),
  ];
  parts.push(table('Samtal', 're-calls', ['Kom in', 'Uppringande nummer', 'Kommun', 'Menyval', 'Utfall', 'Telefonist', 'Förlopp'],
    extract.calls.map(c => [formatDateTime(c.queuedAt), removed(c.callerNumber), municipalityName(c.municipalityCode), optional(c.menuTopic),
      OUTCOMES[c.outcome] ?? '–', optional(c.operatorName),
      h('details', {}, h('summary', {}, `${c.events.length} händelser`),
        h('ol', {}, c.events.map(e => h('li', {}, `${formatDateTime(e.at)} ${EVENT_NAMES[e.type] ?? e.type}`
          + (e.actorName ? ` (${e.actorName})` : '')))))])));
  parts.push(table('Återuppringningar', 're-callbacks', ['Bokad', 'Nummer', 'Namn', 'Anteckning', 'Enhet', 'Tid', 'Uppföljning'],
    extract.callbacks.map(b => [formatDateTime(b.bookedAt), removed(b.callerNumber), optional(b.callerName), optional(b.note), b.unitName,
      `${formatDateTime(b.windowStart)}–${formatDateTime(b.windowEnd)}`,
      b.followUpResult ? `${b.followUpResult === 'kept' ? 'Återuppringd' : 'Inte återuppringd'}${b.followUpNote ? `: ${b.followUpNote}` : ''}` : '–'])));
  parts.push(table('Meddelanden', 're-messages', ['Taget', 'Nummer', 'Namn', 'Text', 'Till', 'Skickat'],
    extract.messages.map(m => [formatDateTime(m.takenAt), removed(m.callerNumber), optional(m.callerName), removed(m.text),
      m.recipientName, m.sentAt ? formatDateTime(m.sentAt) : 'Inte skickat'])));
  parts.push(table('Felanmälningar', 're-faults', ['Registrerad', 'Kontaktnummer', 'Kontaktperson', 'Vad är fel', 'Var', 'Kommun'],
    extract.faultReports.map(f => [formatDateTime(f.registeredAt), removed(f.contactNumber), optional(f.contactName), removed(f.what),
      removed(f.location), municipalityName(f.municipalityCode)])));
  parts.push(table('Skickade länkar', 're-guidance', ['Köad', 'Till', 'Vad', 'Länk', 'Status', 'Skickad av'],
    (extract.guidance ?? []).map(g => [formatDateTime(g.queuedAt), removed(g.recipient), g.title, optional(g.link),
      GUIDANCE_STATUS[g.status] ?? g.status, optional(g.sentByName)])));
  return parts;
}

function table(title, id, headers, rows) {
  if (!rows.length) return h('p', { id }, `${title}: inga.`);
  return h('table.list', { id }, h('caption', {}, `${title} (${rows.length})`),
    h('thead', {}, h('tr', {}, headers.map(text => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, rows.map(cells => h('tr', {}, cells.map(cell => h('td', {}, cell))))));
}

// Erasure of what may be erased about the subject of the extract shown: a reason, a confirmation, the result.
function erasureSection() {
  const reason = h('textarea', { id: 'er-reason', rows: 3, cols: 60, required: true, 'aria-describedby': 'er-help' });
  const error = h('p.error', { id: 'er-error', role: 'alert' });
  const confirm = h('div.confirm', { id: 'er-confirm', role: 'group', 'aria-labelledby': 'er-confirm-text', hidden: true });
  const outcome = h('div', { id: 'er-result', role: 'status' });
  const form = h('form.stats-query', { id: 'er-form', novalidate: true },
    h('div.stats-fields', {}, h('span', {}, h('label', { for: 'er-reason' }, 'Skäl (krävs)'), reason)),
    h('p.muted', { id: 'er-help' }, 'Till exempel: ”Begäran om radering från den registrerade, ärende 2026/123”. Skälet sparas i åtkomstloggen.'),
    h('div.actions', {}, h('button', { type: 'submit', id: 'er-start' }, 'Radera …')),
    error);
  const title = h('h3', { id: 'er-title' }, 'Radera uppgifter');
  const lead = h('p', { id: 'er-lead' });
  const section = h('section', { id: 're-erasure', 'aria-labelledby': 'er-title', hidden: true }, title, lead, form, confirm, outcome);
  let subject = null;
  const handle = { section, onErased: null, offer };

  function offer(wanted) {
    subject = wanted;
    section.hidden = false;
    lead.textContent = `Raderar allt som får raderas om ${wanted.kind === 'number' ? `telefonnummer ${wanted.value}` : `namnet ”${wanted.value}”`}. `
      + 'Uppgifter som måste bevaras (pågående ärenden, allmänna handlingar) behålls, och du får veta varför.';
    confirm.hidden = true;
    outcome.replaceChildren();
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    error.textContent = '';
    clearFieldErrors(form);
    if (!reason.value.trim()) {
      error.textContent = 'Ange skälet till raderingen.';
      reason.setAttribute('aria-invalid', 'true');
      reason.focus();
      return;
    }
    reason.removeAttribute('aria-invalid');
    const yes = h('button.primary', { type: 'button', id: 'er-yes' }, 'Ja, radera');
    const no = h('button', { type: 'button', id: 'er-no' }, 'Avbryt');
    confirm.replaceChildren(
      h('p', { id: 'er-confirm-text', tabindex: '-1' }, `Vill du radera uppgifterna om ${subject.value}? Det går inte att ångra.`),
      h('div.actions', {}, yes, no));
    confirm.hidden = false;
    no.addEventListener('click', () => { confirm.hidden = true; form.querySelector('#er-start').focus(); });
    yes.addEventListener('click', () => erase());
    yes.focus();
  });

  async function erase() {
    confirm.hidden = true;
    outcome.textContent = 'Raderar …';
    try {
      const answer = await api('/api/personal-data/erasures', { method: 'POST', body: { [subject.kind]: subject.value, reason: reason.value.trim() } });
      const e = answer.erased ?? {};
      reason.value = '';
      // The extract again, so the page shows what is left; then what was done.
      await handle.onErased?.(subject);
      outcome.replaceChildren(
        h('p', { id: 'er-done', tabindex: '-1' }, `Raderat: ${e.calls ?? 0} samtal, ${e.callbacks ?? 0} återuppringningar, ${e.messages ?? 0} meddelanden, `
          + `${e.faultReports ?? 0} felanmälningar och ${e.guidance ?? 0} skickade länkar.`),
        answer.kept?.length
          ? h('div', {}, h('p', {}, `${answer.kept.length} poster behölls:`),
            h('ul', { id: 'er-kept' }, answer.kept.map(k => h('li', {},
              `${KINDS[k.kind] ?? k.kind} ${k.id}: ${KEPT_CODES[k.code] ?? `växeln svarade ”${k.reason}”`}.`))))
          : h('p', {}, 'Inga poster behölls.'));
      outcome.querySelector('#er-done').focus();
    } catch (e) {
      outcome.textContent = '';
      error.textContent = `Ingenting raderades. ${swedishMessage(e)}`;
      if (e instanceof ApiError) markFieldErrors(form, e, { reason: 'er-reason' });
    }
  }

  return handle;
}
