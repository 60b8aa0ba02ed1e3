// Swedish formatting of the statistics: numbers, percentages with one decimal, durations in m:ss, kronor, and the
// local (Europe/Stockholm) dates the statistics API takes.
const integer = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0 });
const decimal1 = new Intl.NumberFormat('sv-SE', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const kronor = new Intl.NumberFormat('sv-SE', { minimumFractionDigits: 0, maximumFractionDigits: 0 });
const signed = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
const signed1 = new Intl.NumberFormat('sv-SE', { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });

export const formatCount = n => n === null || n === undefined ? '–' : integer.format(n);
export const formatPercent = share => share === null || share === undefined ? '–' : `${decimal1.format(share * 100)} %`;
export const formatKronor = amount => amount === null || amount === undefined ? '–' : `${kronor.format(amount)} kr`;
export const formatMinutes = minutes => minutes === null || minutes === undefined ? '–' : decimal1.format(minutes);

// 75.4 seconds → "1:15"; an hour or more → "1:02:05".
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

// The change from the previous period, in the metric's own unit: counts as a difference (and per cent when there
// was something to compare with), percentages in percentage points, durations in m:ss.
export function formatChange(kind, now, before) {
  if (now === null || now === undefined || before === null || before === undefined) return '–';
  const diff = now - before;
  if (kind === 'percent') return `${signed1.format(diff * 100)} p.e.`;
  if (kind === 'duration') return diff === 0 ? '±0:00' : `${diff > 0 ? '+' : '−'}${formatDuration(Math.abs(diff))}`;
  const relative = before > 0 ? ` (${signed1.format(diff / before * 100)} %)` : '';
  return `${signed.format(diff)}${relative}`;
}

export const formatSignedKronor = amount => amount === null || amount === undefined ? '–' : `${signed.format(Math.round(amount))} kr`;

// Local dates as yyyy-mm-dd strings; arithmetic on them in UTC so daylight saving never shifts a day.
export const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
const parse = iso => new Date(`${iso}T00:00:00Z`);
const iso = date => date.toISOString().slice(0, 10);
export const addDays = (day, n) => { const d = parse(day); d.setUTCDate(d.getUTCDate() + n); return iso(d); };
const monday = day => addDays(day, -((parse(day).getUTCDay() + 6) % 7));
const firstOfMonth = day => `${day.slice(0, 8)}01`;

// The quick choices of the date range, each relative to the local today.
export const QUICK_RANGES = [
  ['i-dag', 'I dag', t => [t, t]],
  ['denna-vecka', 'Denna vecka', t => [monday(t), t]],
  ['forra-veckan', 'Förra veckan', t => [addDays(monday(t), -7), addDays(monday(t), -1)]],
  ['denna-manad', 'Denna månad', t => [firstOfMonth(t), t]],
  ['forra-manaden', 'Förra månaden', t => [firstOfMonth(addDays(firstOfMonth(t), -1)), addDays(firstOfMonth(t), -1)]],
  ['i-ar', 'I år', t => [`${t.slice(0, 4)}-01-01`, t]],
];

const monthName = new Intl.DateTimeFormat('sv-SE', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayName = new Intl.DateTimeFormat('sv-SE', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
export const formatMonthKey = key => monthName.format(parse(`${key}-01`));
export const formatDayKey = key => `${dayName.format(parse(key))} (${key})`;
