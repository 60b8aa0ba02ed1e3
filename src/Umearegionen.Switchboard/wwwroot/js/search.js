import { api } from './api.js';
import { swedishMessage } from './errors.js';
import { h, formatTime } from './dom.js';
import { formatPhone } from './phone.js';

// The directory search as you type: debounced, newest answer wins, arrow keys move through the hits.
// onPick(hit) is called when a hit is chosen (Enter or click).
export function directorySearch({ onPick, closesSoonMinutes = 15 }) {
  const input = h('input', { id: 'search', type: 'search', autocomplete: 'off', placeholder: 'Enhet, person, ämne eller e-tjänst',
    'aria-describedby': 'search-status', 'aria-controls': 'hits' });
  const municipality = h('select', { id: 'search-municipality' }, h('option', { value: '' }, 'Alla kommuner'));
  const status = h('p.muted', { id: 'search-status', role: 'status', 'aria-live': 'polite' });
  const list = h('ul.hits', { id: 'hits', 'aria-label': 'Träffar' });
  let timer = null;
  let sequence = 0;

  async function run() {
    const q = input.value.trim();
    const mine = ++sequence;
    if (!q) { list.replaceChildren(); status.textContent = ''; return; }
    const params = new URLSearchParams({ q, limit: '25' });
    if (municipality.value) params.set('municipality', municipality.value);
    try {
      const hits = await api(`/api/directory/search?${params}`);
      if (mine !== sequence) return;
      list.replaceChildren(...hits.map(hit => h('li', {}, hitButton(hit), hit.steps?.length ? stepsToggle(hit) : null)));
      status.textContent = hits.length ? `${hits.length} ${hits.length === 1 ? 'träff' : 'träffar'}` : 'Inga träffar';
    } catch (e) {
      if (mine === sequence) status.textContent = swedishMessage(e);
    }
  }

  function hitButton(hit) {
    if (hit.kind === 'answer') return answerHit(hit);
    const open = openStatus(hit, closesSoonMinutes);
    return h('button.hit', { type: 'button', dataset: { kind: hit.kind }, onclick: () => onPick(hit) },
      h('span.hit-title', {}, hit.title),
      h('span.hit-kind', {}, KIND[hit.kind] ?? hit.kind),
      h('span.hit-detail', {}, detailParts(hit).join(' · ')),
      h('span.hit-contact', {}, [formatPhone(hit.phone), hit.email].filter(Boolean).join(' · ')),
      h(`span.badge.${open.tone}`, {}, open.text),
      hit.referral ? h('span.badge.warn.referral', {}, referralText(hit.referral)) : null,
      open.tone !== 'ok' && hit.whenClosed?.kind && hit.whenClosed.kind !== 'none'
        ? h('span.hit-fallback', {}, `Vid stängt: ${closedAction(hit.whenClosed)}`) : null,
      hit.url ? h('span.hit-contact', {}, hit.url) : null);
  }

  // An answer (docs/answers.md): the question and the text to read out; choosing it picks its linked unit, if any.
  function answerHit(hit) {
    const parts = [h('span.hit-title', {}, hit.title), h('span.hit-kind', {}, KIND.answer),
      h('span.hit-answer', {}, hit.detail),
      h('span.hit-detail', {}, [hit.unitName, hit.municipalityName ?? 'Alla kommuner'].filter(Boolean).join(' · '))];
    return hit.unitId
      ? h('button.hit', { type: 'button', dataset: { kind: 'answer' }, onclick: () => onPick(hit) }, ...parts)
      : h('div.hit', { dataset: { kind: 'answer' } }, ...parts);
  }

  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  municipality.addEventListener('change', run);
  input.addEventListener('keydown', event => {
    if (event.key === 'ArrowDown' || (event.key === 'Enter' && list.firstElementChild)) {
      event.preventDefault();
      const first = list.querySelector('button');
      if (event.key === 'Enter') first?.click(); else first?.focus();
    }
  });
  list.addEventListener('keydown', event => {
    const buttons = [...list.querySelectorAll('button')];
    const index = buttons.indexOf(document.activeElement);
    if (event.key === 'ArrowDown') { event.preventDefault(); buttons[Math.min(index + 1, buttons.length - 1)]?.focus(); }
    if (event.key === 'ArrowUp') { event.preventDefault(); (index <= 0 ? input : buttons[index - 1]).focus(); }
  });

  const element = h('section.panel.search', { 'aria-labelledby': 'search-title' },
    h('h3', { id: 'search-title' }, 'Katalogen'),
    h('div.search-row', {},
      h('label', { for: 'search' }, 'Sök'), input,
      h('label.sr', { for: 'search-municipality' }, 'Kommun'), municipality),
    status, list);
  return {
    element,
    input,
    refresh: run,
    setMunicipalities(list) {
      municipality.replaceChildren(h('option', { value: '' }, 'Alla kommuner'),
        ...list.filter(m => m.servedBySwitchboard).map(m => h('option', { value: m.code }, m.name)));
    },
  };
}

let stepsCount = 0;

// An e-service's step-by-step guidance (docs/directory.md), read to a caller who needs help on the phone: hidden
// until the operator asks for it ("Visa steg"), beside the hit rather than inside it, so the hit stays one button.
export function stepsToggle(hit) {
  return stepsBox(hit.title, hit.steps);
}

// "Visa steg" for an e-service called title: steps is the list, or a function that loads it when first shown (a call's
// suggestions carry only how many steps there are, docs/hub.md); a failed load says why and is tried again next time.
export function stepsBox(title, steps) {
  const id = `steps-${++stepsCount}`;
  const item = step => h('li', {}, step);
  let loaded = Array.isArray(steps);
  const list = h('ol.steps', { id, hidden: true, 'aria-label': `Steg för ${title}` }, loaded ? steps.map(item) : []);
  const toggle = h('button.steps-toggle', { type: 'button', 'aria-expanded': 'false', 'aria-controls': id, onclick: async () => {
    const open = list.hidden;
    if (open && !loaded) {
      toggle.disabled = true;
      try {
        list.replaceChildren(...(await steps()).map(item));
        loaded = true;
      } catch (e) {
        list.replaceChildren(h('li.error', {}, swedishMessage(e)));
      } finally {
        toggle.disabled = false;
      }
    }
    list.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Dölj steg' : 'Visa steg';
  } }, 'Visa steg');
  return h('div.steps-box', {}, toggle, list);
}

const KIND = { unit: 'Enhet', person: 'Person', topic: 'Ämne', 'e-service': 'E-tjänst', answer: 'Svar' };

// What a hit's second line says: its detail, the unit (unless the title or the detail already is the unit's name) and
// the municipality. A topic hit's detail is its unit's name, so the unit is said once ("Hemtjänst Agnäs · Bjurholm").
export function detailParts(hit) {
  const unit = hit.kind !== 'unit' && hit.unitName !== hit.title && hit.unitName !== hit.detail ? hit.unitName : null;
  return [hit.detail, unit, hit.municipalityName].filter(Boolean);
}

// A person's referral: until when, why, and whom to refer the caller to.
export function referralText(referral, now = new Date()) {
  return `Hänvisad till ${referral.until ? whenText(new Date(referral.until), now) : 'vidare'}${referral.reason ? ` (${referral.reason})` : ''}`
    + (referral.referTo ? ` – kontakta ${referral.referTo}${referral.referToPhone ? ` ${formatPhone(referral.referToPhone)}` : ''}` : '');
}

export function openStatus(hit, closesSoonMinutes = 15, now = new Date()) {
  if (hit.openStatus === 'open') {
    const until = hit.openStatusUntil ? new Date(hit.openStatusUntil) : null;
    // No closing within the service's search horizon (400 days): a line open around the clock.
    if (!until) return { tone: 'ok', text: 'Öppet dygnet runt' };
    const soon = until - now < closesSoonMinutes * 60 * 1000;
    // Open for more than a day from now: around the clock until a holiday or an exception closes it.
    const lead = soon ? 'Stänger snart' : until - now > 24 * 3600 * 1000 ? 'Öppet dygnet runt' : 'Öppet';
    return { tone: soon ? 'warn' : 'ok', text: `${lead} – ${closingText(until, now)}` };
  }
  if (hit.openStatus === 'closed') {
    return { tone: 'bad', text: hit.openStatusUntil ? `Stängt – öppnar ${whenText(new Date(hit.openStatusUntil), now)}` : 'Stängt' };
  }
  return { tone: 'muted', text: 'Öppettider saknas' };
}

const localDay = at => at.toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
const weekday = new Intl.DateTimeFormat('sv-SE', { weekday: 'long', timeZone: 'Europe/Stockholm' });
const DAY_MS = 24 * 3600 * 1000;

// A day as a person says it, the same way everywhere: "i dag", "i morgon", a weekday within the coming week
// ("måndag"), the date beyond it ("2026-12-24").
export function dayWord(at, now = new Date()) {
  const day = localDay(at);
  if (day === localDay(now)) return 'i dag';
  if (day === localDay(new Date(now.getTime() + DAY_MS))) return 'i morgon';
  if (at > now && at - now < 6.5 * DAY_MS) return weekday.format(at);
  return day;
}
const dayText = { format: (at, now) => dayWord(at, now) };

// A moment as a person says it: the clock time today ("13:00"), else the day and the time ("i morgon 08:00",
// "måndag 08:00", "2026-12-24 08:00").
export function whenText(at, now = new Date()) {
  const day = dayWord(at, now);
  return day === 'i dag' ? formatTime(at) : `${day} ${formatTime(at)}`;
}

// Until when an open unit stays open, as a person says it. An open period that ends at local midnight ends with the
// day before: "till midnatt" tonight, "till och med i morgon", "till och med onsdag"; otherwise the clock time,
// with the day when it is not today ("till 16:30", "till i morgon 16:30", "till fredag 16:30", beyond a week "till 2026-12-24 16:30").
export function closingText(until, now = new Date()) {
  const atMidnight = formatTime(until) === '00:00';
  const lastOpen = atMidnight ? new Date(until.getTime() - 60000) : until;
  const day = localDay(lastOpen);
  const isToday = day === localDay(now);
  const isTomorrow = day === localDay(new Date(now.getTime() + 24 * 3600 * 1000));
  if (atMidnight) return isToday ? 'till midnatt' : `till och med ${isTomorrow ? 'i morgon' : dayText.format(lastOpen, now)}`;
  const time = formatTime(until);
  return isToday ? `till ${time}` : `till ${isTomorrow ? 'i morgon' : dayText.format(until, now)} ${time}`;
}

export function closedAction(whenClosed) {
  const parts = {
    'on-call': `jour ${formatPhone(whenClosed.phone)}`, 'e-service': `e-tjänst ${whenClosed.url ?? ''}`,
    callback: 'boka återuppringning', message: 'ta meddelande',
  };
  return [parts[whenClosed.kind], whenClosed.text].filter(Boolean).join(' – ');
}

// A search hit as a routing destination: a person, or the unit the hit belongs to.
export function destinationOf(hit) {
  return hit.kind === 'person'
    ? { kind: 'person', id: hit.id, number: hit.phone, name: hit.title, email: hit.email, unitId: hit.unitId, unitName: hit.unitName }
    : { kind: 'unit', id: hit.unitId, number: hit.phone, name: hit.unitName, email: hit.email, unitId: hit.unitId, unitName: hit.unitName };
}
