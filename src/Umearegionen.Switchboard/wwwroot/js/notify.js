// Desktop notifications for an offer while the dashboard's tab is in the background (docs/dashboard.md).
// Permission is asked only on the operator's own gesture (going Tillgänglig, the "Aviseringar" button): a browser
// quietly refuses, and operators distrust, a request on page load. The text names the municipality and the menu
// choice, never the caller's number: a notification can show on a locked screen.

export const supported = () => 'Notification' in window;
export const permission = () => (supported() ? Notification.permission : 'unsupported');

/** Asks once, on a user gesture; resolves to the permission ("granted", "denied", "default" or "unsupported"). */
export async function ask() {
  if (!supported()) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  try { return await Notification.requestPermission(); } catch { return Notification.permission; }
}

/** One notification at a time for the ringing offer: show it while the tab is hidden, close it when the offer ends. */
export function offerAlert({ text, onClick }) {
  let shown = null;
  let offer = null;

  function close() {
    shown?.close();
    shown = null;
  }
  function update() {
    if (!offer || document.visibilityState !== 'hidden' || permission() !== 'granted') { close(); return; }
    if (shown?.offerId === offer.call.id) return;
    close();
    try {
      // The same tag on every screen of the operator: a second tab replaces the first's notification, not adds one.
      shown = new Notification('Inkommande samtal', { body: text(offer), tag: `offer-${offer.call.id}`, requireInteraction: true });
      shown.offerId = offer.call.id;
      shown.onclick = () => { window.focus(); close(); onClick?.(); };
    } catch {
      shown = null; // e.g. a browser that shows notifications only from a service worker: the banner and chime remain.
    }
  }
  const visibility = () => update();
  document.addEventListener('visibilitychange', visibility);
  return {
    /** The offer that rings now, or null: every way an offer ends comes here with null. */
    set(next) { offer = next; update(); },
    dispose() { offer = null; close(); document.removeEventListener('visibilitychange', visibility); },
  };
}
