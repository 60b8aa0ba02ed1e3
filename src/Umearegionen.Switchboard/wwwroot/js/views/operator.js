import * as hub from '../hub.js';
import { h, formatTime, formatWait, secondsSince, municipalityNames, municipalityName, loadMunicipalities, isTyping, hubErrorText } from '../dom.js';
import { chime, unlock } from '../sound.js';
import { swedishWarning, swedishOfferEnding, swedishPausedReason } from '../errors.js';
import { directorySearch, destinationOf } from '../search.js';
import { callPanel } from './operator-call.js';
import { finishForm, useMunicipalities } from './operator-finish.js';
import { queuePanel, noticesPanel } from './operator-queue.js';
import { shownStatus, statusTime, afterCallLeft } from '../operator-status.js';
import { myDayPanel } from './operator-day.js';
import * as notify from '../notify.js';

const STATUS = {
  available: { key: '1', text: 'Tillgänglig' }, paused: { key: '2', text: 'Paus' },
  wrap_up: { key: '3', text: 'Efterarbete' }, offline: { key: '4', text: 'Offline' },
};
const PAUSE_REASONS = ['Rast', 'Lunch', 'Möte', 'Administration', 'Utbildning', 'Teknikproblem'];

export const SHORTCUTS = [
  ['1 / 2 / 3 / 4', 'Tillgänglig / Paus (med vald orsak) / Efterarbete / Offline'],
  ['E / +', 'Efterarbete efter samtal: avsluta nu / förläng'],
  ['Enter eller A', 'Svara på erbjudet samtal'],
  ['Ctrl+Enter', 'Svara på erbjudet samtal, även när markören står i sökrutan eller ett annat fält'],
  ['D', 'Avvisa erbjudet samtal'],
  ['/', 'Till sökrutan i katalogen'],
  ['↓ ↑ och Enter', 'Gå igenom träffarna och välj en som mål'],
  ['T / B / R / M / F', 'Avsluta: Koppla / Besvarat / Återuppringning / Meddelande / Felanmälan'],
  ['K', 'Förfrågan: tala med valt mål innan du kopplar'],
  ['Esc', 'Lämna fältet och gå tillbaka till kortkommandona'],
  ['?', 'Visa eller dölj kortkommandona'],
];

// The operator's working screen: status, the offer, the current call and how it ends, the directory, the queue, notices.
export default {
  id: 'samtal',
  title: 'Samtal',
  roles: ['operator'],
  async render(container) {
    await municipalityNames();
    const state = { me: null, offer: null, call: null, destination: null };
    const message = h('p.message', { id: 'op-message', role: 'status', 'aria-live': 'polite' });
    const say = (text, tone = '') => { message.textContent = text; message.dataset.tone = tone; };
    const attempt = async (action, success) => {
      try { const result = await action(); if (success) say(success, 'ok'); return result; }
      catch (e) { say(hubErrorText(e), 'bad'); return undefined; }
    };

    // Status
    const reason = h('select', { id: 'pause-reason' }, PAUSE_REASONS.map(r => h('option', { value: r }, r)));
    const statusText = h('span.status-now', { id: 'my-status', 'aria-live': 'polite' });
    const statusButtons = Object.entries(STATUS).map(([status, { key, text }]) =>
      h('button.status', { type: 'button', dataset: { status }, 'aria-keyshortcuts': key, onclick: () => setStatus(status) },
        h('kbd', {}, key), ` ${text}`));
    const help = h('dialog.help', { id: 'shortcuts', 'aria-labelledby': 'shortcuts-title' },
      h('h3', { id: 'shortcuts-title' }, 'Kortkommandon'),
      h('p', {}, 'Gäller när markören inte står i ett textfält (Esc lämnar fältet); Ctrl+Enter gäller överallt.'),
      h('table.list', {}, h('tbody', {}, SHORTCUTS.map(([k, t]) => h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, k)), h('td', {}, t))))),
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, 'Stäng')));

    // After-call work: the service sets it when a call ends; the operator may end it early or extend it.
    const myStatusTime = h('span.status-time', { id: 'my-status-time' }); // ticks every second: not a live region
    const afterCall = h('span.after-call', { id: 'after-call', role: 'group', 'aria-label': 'Efterarbete', hidden: true },
      h('button', { type: 'button', id: 'end-after-call', 'aria-keyshortcuts': 'E', onclick: () => endAfterCall() }, h('kbd', {}, 'E'), ' Avsluta efterarbetet'),
      h('button', { type: 'button', id: 'extend-after-call', 'aria-keyshortcuts': '+', onclick: () => extendAfterCall() }, h('kbd', {}, '+'), ' Förläng'));
    async function endAfterCall() {
      const me = await attempt(() => hub.invoke('EndAfterCallWork'), 'Efterarbetet avslutat. Du är tillgänglig.');
      if (me) showMe(me);
    }
    async function extendAfterCall() {
      const me = await attempt(() => hub.invoke('ExtendAfterCallWork'));
      if (me) { showMe(me); say(`Efterarbetet förlängt, ${afterCallLeft(me)} s kvar.`, 'ok'); }
    }
    function showStatusTime() {
      myStatusTime.textContent = state.me ? statusTime({ ...state.me, callAnsweredAt: state.call?.answeredAt }) : '';
      afterCall.hidden = afterCallLeft(state.me) === null;
    }

    async function setStatus(status) {
      say('');
      // Going Tillgänglig is the operator's own gesture: the one moment (besides "Aviseringar") to ask for notifications.
      if (status === 'available' && notify.permission() === 'default') notify.ask();
      const me = await attempt(() => hub.invoke('SetStatus', { status, reason: status === 'paused' ? reason.value : null }));
      if (me) showMe(me);
    }
    function showMe(me) {
      // An answer and a push can cross on the way (a call's end pushes "available" while the operator already
      // pressed Offline): a state from before the status shown is stale and is not shown.
      if (me && state.me && new Date(me.statusChangedAt) < new Date(state.me.statusChangedAt)) return;
      state.me = me;
      for (const b of statusButtons) b.setAttribute('aria-pressed', String(b.dataset.status === me?.status));
      showStatus();
      // Only "available" is offered calls: any other status ends a ringing offer at once (the service withdraws it too).
      if (me && me.status !== 'available') showOffer(null);
    }
    // On a call the operator is "I samtal", whatever status follows the call; the badge's colour and time follow.
    function showStatus() {
      const me = state.me;
      const status = me ? `${STATUS[me.status]?.text ?? me.status}${me.pausedReason ? ` (${swedishPausedReason(me.pausedReasonCode, me.pausedReason)})` : ''}` : 'Offline';
      statusText.textContent = state.call
        ? `Din status: I samtal${me && me.status !== 'available' ? ` – sedan ${status}` : ''}`
        : `Din status: ${status}`;
      statusText.classList.add('status-badge');
      statusText.dataset.status = state.call ? 'on_call' : shownStatus(me ?? { status: 'offline' });
      showStatusTime();
    }

    // Offer
    const offerText = h('div.offer-text');
    const offerCountdown = h('span.countdown');
    const acceptButton = h('button.primary', { type: 'button', id: 'accept', 'aria-keyshortcuts': 'Enter A Control+Enter', onclick: () => accept() }, 'Svara (Enter)');
    // Only the offer itself is announced (once); the countdown ticks silently beside it.
    const banner = h('section.offer', { id: 'offer', 'aria-label': 'Erbjudet samtal', hidden: true },
      h('div.offer-main', { role: 'alert' }, h('h3', {}, 'Inkommande samtal'), offerText), offerCountdown,
      h('p.offer-key', { id: 'offer-key' }, h('kbd', {}, 'Ctrl+Enter'), ' svarar också när markören står i sökrutan'),
      h('div.actions', {}, acceptButton, h('button', { type: 'button', 'aria-keyshortcuts': 'D', onclick: () => decline() }, 'Avvisa (D)')));
    let chimeTimer = null;
    // While the tab is in the background the offer also shows as a desktop notification (closed with the offer).
    const offerSummary = offer => `${municipalityName(offer.call.municipalityCode)} – ${offer.call.menuTopic ? `menyval ${offer.call.menuTopic}` : 'inget menyval'}`;
    const desktopAlert = notify.offerAlert({ text: offerSummary, onClick: () => acceptButton.focus() });
    const alertsButton = h('button', { type: 'button', id: 'notifications', onclick: () => askForAlerts() }, 'Aviseringar');
    async function askForAlerts() {
      const answer = await notify.ask();
      say({
        granted: 'Aviseringar på: ett samtal som erbjuds när fliken ligger i bakgrunden visas som en avisering på skärmen.',
        denied: 'Webbläsaren blockerar aviseringar från växeln. Tillåt dem i webbläsarens inställningar för sidan.',
        default: 'Aviseringar är inte påslagna.',
        unsupported: 'Webbläsaren kan inte visa aviseringar.',
      }[answer], answer === 'granted' ? 'ok' : 'warn');
    }

    function showOffer(offer) {
      state.offer = offer;
      clearInterval(chimeTimer);
      chimeTimer = null;
      banner.hidden = !offer;
      desktopAlert.set(offer);
      document.title = offer ? '☎ Samtal – Umeåregionens växel' : 'Umeåregionens växel';
      if (!offer) { offerCountdown.textContent = ''; return; }
      const c = offer.call;
      offerText.replaceChildren(...[
        h('strong', {}, municipalityName(c.municipalityCode)),
        c.menuTopic ? ` – menyval ${c.menuTopic}` : ' – inget menyval',
        c.priority > 0 ? h('span.badge.warn', {}, ` Prioritet ${c.priority}`) : null].filter(Boolean));
      chime();
      chimeTimer = setInterval(() => { if (state.offer) chime(); }, 4000);
      tick();
    }
    // Every way an offer ends (taken here or on another screen, withdrawn, timed out, caller gone, status changed,
    // a resync after reconnecting) goes through here or showOffer(null): banner, tab title, chime, countdown and keys stop.
    function endOffer(callId) {
      if (state.offer && (!callId || state.offer.call.id === callId)) showOffer(null);
    }
    async function accept(callId = state.offer?.call.id) {
      if (!callId) return;
      say('');
      const call = await attempt(() => hub.invoke('AcceptCall', callId));
      if (call) { showOffer(null); showCall(call); }
      await resync();
    }
    async function decline() {
      if (!state.offer) return;
      await attempt(() => hub.invoke('DeclineOffer', state.offer.call.id), 'Du avvisade samtalet; det går tillbaka till kön.');
      showOffer(null);
      await resync();
    }

    // Current call, how it ends, the directory, queue and notices
    const finish = finishForm({
      invoke: (method, request) => attempt(() => hub.invoke(method, request)),
      tryInvoke: (method, request) => hub.invoke(method, request),
      report: e => say(hubErrorText(e), 'bad'),
      onDone: async (call, text) => { say(call?.warning ? `${text} ${swedishWarning(call.warning)}` : text, call?.warning ? 'warn' : 'ok'); state.destination = null; showCall(null); await resync(); },
      onCall: call => showCall(call),
    });
    const search = directorySearch({ onPick: hit => pick(destinationOf(hit)) });
    search.setMunicipalities(await loadMunicipalities());
    useMunicipalities(await loadMunicipalities());
    const call = callPanel({ onPick: hit => pick(destinationOf(hit)), loadContacts: id => hub.invoke('GetRecentContacts', id),
      onAnswer: answer => finish.answerWith(answer) });
    const queue = queuePanel({ onTake: id => accept(id) });
    const notices = noticesPanel();
    const myDay = myDayPanel();

    function pick(destination) {
      state.destination = destination;
      finish.setDestination(destination);
      if (state.call) finish.open('transfer', 'submit');
      else say(`Valt mål: ${destination.name}. Det används när du har ett samtal.`);
    }
    function showCall(c) {
      state.call = c && c.state === 'connected' ? c : null;
      if (c) endOffer(c.id);
      call.show(state.call);
      finish.setCall(state.call);
      showStatus();
    }

    const refreshed = h('p.muted', { id: 'directory-updated', role: 'status', 'aria-live': 'polite' });
    container.append(
      h('div.operator', {},
        h('section.panel.statusbar', { 'aria-label': 'Din status' },
          h('div.status-buttons', { role: 'group', 'aria-label': 'Sätt status' }, statusButtons),
          h('label', { for: 'pause-reason' }, 'Orsak till paus'), reason, statusText, myStatusTime, afterCall,
          alertsButton,
          h('button.link', { type: 'button', 'aria-keyshortcuts': '?', onclick: () => toggleHelp() }, 'Kortkommandon (?)')),
        banner, message,
        h('div.columns', {},
          h('div.column', {}, call.head, call.element, finish.element),
          h('div.column', {}, search.element, refreshed),
          h('div.column', {}, queue.element, notices.element, myDay.element))),
      help);

    function toggleHelp() { if (help.open) help.close(); else help.showModal(); }

    async function resync() {
      const sync = await attempt(() => hub.invoke('Resync'));
      if (!sync) return;
      showMe(sync.me);
      showOffer(sync.offer);
      showCall(sync.currentCall);
      queue.show(sync.queue);
      notices.show(sync.notices);
      myDay.refresh();
    }

    function tick() {
      showStatusTime();
      queue.tick();
      call.tick();
      if (state.offer) {
        const left = Math.max(0, Math.ceil((new Date(state.offer.expiresAt) - Date.now()) / 1000));
        // Past its time the offer can no longer be taken: the ring stops here, even before the service says so.
        if (left === 0) { showOffer(null); return; }
        offerCountdown.textContent = `Väntat ${formatWait(secondsSince(state.offer.call.queuedAt))} · ${left} s kvar att svara`;
      }
    }
    const ticker = setInterval(tick, 1000);

    let directoryTimer = null;
    const directoryChanged = () => {
      clearTimeout(directoryTimer);
      directoryTimer = setTimeout(() => {
        refreshed.textContent = `Katalogen uppdaterad ${formatTime(new Date())}`;
        search.refresh();
        call.refresh();
      }, 200);
    };

    const off = [
      hub.on('OfferReceived', offer => showOffer(offer)),
      hub.on('OfferWithdrawn', withdrawn => {
        endOffer(withdrawn.callId);
        if (withdrawn.code === 'accepted-elsewhere') resync();
        else say(`Erbjudandet drogs tillbaka: ${swedishOfferEnding(withdrawn)}`, 'warn');
      }),
      hub.on('OperatorStateChanged', me => {
        showMe(me);
        myDay.refresh();
        if (me.pausedReason) say(`Du är pausad: ${swedishPausedReason(me.pausedReasonCode, me.pausedReason)}`, 'warn');
      }),
      hub.on('CallUpdated', c => {
        showCall(c);
        if (c.callerLeftAt) say('Den som ringde har lagt på. Avsluta samtalet med rätt kategori.', 'warn');
      }),
      hub.on('GuidanceUpdated', g => call.guidanceUpdated(g)),
      hub.on('QueueChanged', snapshot => queue.show(snapshot)),
      hub.on('NoticesChanged', list => notices.show(list)),
      hub.on('DirectoryChanged', directoryChanged),
      hub.on('OpeningHoursChanged', directoryChanged),
    ];

    function onKey(event) {
      unlock();
      // Esc leaves the field and keeps what is in it (a search field would otherwise empty itself and leave its hits stale).
      if (event.key === 'Escape' && isTyping(event.target)) { event.preventDefault(); event.target.blur(); return; }
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target) || help.open) {
        if (event.key === '?' && help.open) toggleHelp();
        return;
      }
      const key = event.key.toLowerCase();
      const onButton = event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement;
      const status = Object.entries(STATUS).find(([, s]) => s.key === key)?.[0];
      let handled = true;
      if (status) setStatus(status);
      else if (afterCallLeft(state.me) !== null && key === 'e') endAfterCall();
      else if (afterCallLeft(state.me) !== null && key === '+') extendAfterCall();
      else if (state.offer && (key === 'a' || (key === 'enter' && !onButton))) accept();
      else if (state.offer && key === 'd') decline();
      else if (key === '/') search.input.focus();
      else if (key === '?') toggleHelp();
      else if (state.call && finish.shortcut(key)) { /* opened */ }
      else handled = false;
      if (handled) event.preventDefault();
    }
    // Ctrl+Enter takes the offered call from anywhere, a text field included: caught before the field sees it
    // (Enter in the search would pick a hit). Not a browser or screen-reader key; Ctrl+Shift+A is Chrome's tab
    // search and Alt+A opens the Arkiv menu of a Swedish Firefox.
    function acceptKey(event) {
      if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || !state.offer || help.open) return;
      event.preventDefault();
      event.stopPropagation();
      accept();
    }
    document.addEventListener('keydown', acceptKey, true);
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', unlock, { once: true });
    // Back after a dropped connection: the state from Resync, and the search and suggestions read again, since
    // directory and opening-hours changes made meanwhile were pushed while the page could not hear them.
    const reconnected = () => { resync(); if (search.input.value.trim()) search.refresh(); call.refresh(); };
    window.addEventListener('resync', reconnected);
    showMe(null);
    if (hub.isConnected()) await resync();

    return {
      dispose() {
        document.removeEventListener('keydown', onKey);
        document.removeEventListener('keydown', acceptKey, true);
        desktopAlert.dispose();
        window.removeEventListener('resync', reconnected);
        for (const f of off) f();
        clearInterval(ticker);
        clearInterval(chimeTimer);
        document.title = 'Umeåregionens växel';
        help.remove();
      },
    };
  },
};
