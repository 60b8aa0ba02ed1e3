// Swedish telephone numbers as operators read them aloud: the national form with the area code, a hyphen and the
// subscriber number in groups ("0932-147 98", "090-16 10 00", "070-123 45 67", "08-123 456 78"). The service stores
// E.164 (+4693214798); dialling and copying keep that form. A foreign or unreadable number is shown as given.

// Area codes (after the leading 0) of two digits; 08 has one, mobile (07x) and 020 three incl. the 0, the rest four.
const TWO_DIGIT_AREAS = new Set(['11', '13', '16', '18', '19', '21', '23', '26', '31', '33', '35', '36', '40', '42', '44', '46',
  '54', '60', '63', '90']);

function areaLength(national) {
  // national starts with 0; the length of the area code including the 0
  if (national[1] === '8') return 2;
  if (national[1] === '7' || national.startsWith('020')) return 3;
  if (TWO_DIGIT_AREAS.has(national.slice(1, 3))) return 3;
  return 4;
}

// The subscriber number in groups of two from the end, with a first group of three when the count is odd:
// 14798 → 147 98, 161000 → 16 10 00, 1234567 → 123 45 67; eight digits as 123 456 78.
function groups(digits) {
  if (digits.length <= 4) return digits;
  if (digits.length === 8) return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
  const parts = [];
  let rest = digits;
  while (rest.length > 3) { parts.unshift(rest.slice(-2)); rest = rest.slice(0, -2); }
  parts.unshift(rest);
  return parts.join(' ');
}

/** A number for the eye and the voice: Swedish national form, or the number as given when it is not Swedish. */
export function formatPhone(number) {
  if (number === null || number === undefined) return '';
  const text = String(number).trim();
  const compact = text.replace(/[\s\-()/.]/g, '');
  let national = null;
  if (/^\+46\d{6,11}$/.test(compact)) national = `0${compact.slice(3).replace(/^0/, '')}`;
  else if (/^0046\d{6,11}$/.test(compact)) national = `0${compact.slice(4).replace(/^0/, '')}`;
  else if (/^0[1-9]\d{5,10}$/.test(compact)) national = compact;
  if (!national) return text;
  const area = areaLength(national);
  const subscriber = national.slice(area);
  if (subscriber.length < 5) return text;
  return `${national.slice(0, area)}-${groups(subscriber)}`;
}

/** Every E.164 Swedish number inside a text, in the national form (for sentences that carry a number). */
export function formatPhonesIn(text) {
  return String(text ?? '').replace(/\+46\d{7,11}\b/g, n => formatPhone(n));
}
