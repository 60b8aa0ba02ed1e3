import { ApiError } from './api.js';
import { formatPhonesIn } from './phone.js';

// The service's errors in Swedish for the person in front of the screen. The service answers in English
// (problem details and hub errors are its API contract); this is the dashboard's presentation of them:
//
//   swedishMessage(error)      one sentence (or a few) for a status line: ApiError, hub error, network error or text
//   swedishFieldErrors(error)  [{ field, label, messages }] for an ApiError's field errors (or a hub `invalid` naming a field)
//   fieldLabel(field)          the Swedish name of an API field ("whenClosed.phone" → "Jourtelefon")
//
// Known messages are translated by pattern; where none fits, a Swedish lead-in carries the service's own text,
// so the person is never left with nothing.

const stockholm = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Stockholm' });
const when = at => (at ? stockholm.format(new Date(at)) : '');

// ---- field names --------------------------------------------------------------------------------------------------

const LABELS = {
  name: 'Namn', title: 'Titel', phone: 'Telefon', email: 'E-post', visitingAddress: 'Besöksadress', address: 'Besöksadress',
  topics: 'Ämnen', eServices: 'E-tjänster', eservices: 'E-tjänster', eservice_steps: 'E-tjänsternas steg', level: 'Nivå', parentId: 'Ingår i', parent: 'Ingår i',
  municipalityCode: 'Kommun', municipality: 'Kommun', externalKey: 'Nyckel', key: 'Nyckel', type: 'Typ', unitId: 'Enhet',
  unitName: 'Enhet', 'whenClosed.kind': 'När stängt', 'whenClosed.phone': 'Jourtelefon', 'whenClosed.url': 'Länk till e-tjänst',
  'whenClosed.text': 'Att säga till den som ringer', whenClosed: 'När stängt',
  referral: 'Hänvisning', 'referral.until': 'Hänvisad till och med', 'referral.reason': 'Orsak', 'referral.referTo': 'Hänvisa till',
  'referral.referToPhone': 'Hänvisa till telefon', text: 'Text', expiresAt: 'Gäller till', username: 'Användarnamn',
  displayName: 'Namn', password: 'Lösenord', role: 'Roll', population: 'Folkmängd', mainNumber: 'Huvudnummer',
  servedBySwitchboard: 'Betjänas av växeln', q: 'Sökord', limit: 'Antal', from: 'Från', to: 'Till', by: 'Indelning',
  budget: 'Budget', format: 'Format', result: 'Resultat', file: 'Filen', row: 'Raden', body: 'Innehållet', 'If-Match': 'Version',
  status: 'Status', reason: 'Orsak', wrapUpCategory: 'Kategori', destination: 'Mål', 'destination.id': 'Mål',
  'destination.number': 'Nummer', 'destination.name': 'Mål', 'destination.kind': 'Mål', mode: 'Sätt', what: 'Vad är fel',
  location: 'Var', contactNumber: 'Kontaktnummer', contactName: 'Kontaktperson', recipientEmail: 'Mottagarens e-post',
  recipientName: 'Mottagare', recipientId: 'Mottagare', recipientKind: 'Mottagare', windowStart: 'Från', windowEnd: 'Till',
  'windowStart/windowEnd': 'Tid för återuppringning', callerNumber: 'Nummer', callerName: 'Namn på den som ringer', note: 'Anteckning',
  callId: 'Samtal', number: 'Telefonnummer', platformCallId: 'Samtals-id', before: 'Sida', actorId: 'Vem',
  word: 'Ord', means: 'Betyder',
};

const DAYS = { monday: 'Måndag', tuesday: 'Tisdag', wednesday: 'Onsdag', thursday: 'Torsdag', friday: 'Fredag', saturday: 'Lördag', sunday: 'Söndag' };
const HOLIDAYS = { publicHoliday: 'Helgdagar', paskafton: 'Påskafton', midsommarafton: 'Midsommarafton', julafton: 'Julafton',
  nyarsafton: 'Nyårsafton', dayBeforeHoliday: 'Dag före helgdag' };
const PARTS = { hours: 'tider', at: 'stänger kl.', kind: 'hantering', from: 'från', to: 'till', reason: 'orsak', weekdays: 'veckodagar',
  closed: 'stängt', start: 'början', end: 'slut', phone: 'telefon', url: 'länk', text: 'text', steps: 'steg' };

export function fieldLabel(field) {
  if (!field) return '';
  if (LABELS[field]) return LABELS[field];
  // Opening hours name deep paths: weekly.monday[1].end, exceptions[0].reason, holidays.julafton.hours, holidayOverride.x.at.
  const segments = field.split('.');
  const words = [];
  for (const segment of segments) {
    const [, name, index] = segment.match(/^([^[]*)(?:\[(\d+)\])?$/) ?? [null, segment, undefined];
    const nth = index !== undefined ? Number(index) + 1 : null;
    if (name === 'weekly' || name === 'holidays' || name === 'holidayOverride') continue;
    if (name === 'exceptions') words.push(nth ? `Avvikelse ${nth}` : 'Avvikelser');
    else if (DAYS[name]) words.push(nth ? `${DAYS[name]} (intervall ${nth})` : DAYS[name]);
    else if (HOLIDAYS[name]) words.push(HOLIDAYS[name]);
    else if (words.length && PARTS[name]) words.push(nth ? `${PARTS[name]} ${nth}` : PARTS[name]);
    else if (LABELS[name]) words.push(LABELS[name]);
    else words.push(nth ? `${name} ${nth}` : name);
  }
  return words.join(', ') || field;
}

const upperFirst = text => text.charAt(0).toUpperCase() + text.slice(1);

// ---- field messages: "{field} is required." → "{Fält} måste fyllas i." -----------------------------------------------

// Each rule: a pattern over the English message (with the field name in place of {f}) and its Swedish sentence.
const FIELD_RULES = [
  [/^{f} is required\b.*$/, (l) => `${l} måste fyllas i.`],
  [/^{f} must be at most (\d+) characters \(it has (\d+)\)\.$/, (l, m) => `${l} får vara högst ${m[1]} tecken (nu ${m[2]}).`],
  [/^{f} must be one line without control characters or text-direction overrides.*$/, (l) => `${l} får bara vara en rad, utan kontrolltecken eller tecken som vänder textriktningen.`],
  [/^{f} '(.*)' is not a Swedish phone number.*$/, (l, m) => `${l}: ”${m[1]}” är inget svenskt telefonnummer; skriv t.ex. 090-16 10 00 eller +46 90 161000.`],
  [/^{f} '(.*)' is not an e-mail address.*$/, (l, m) => `${l}: ”${m[1]}” är ingen e-postadress (som namn@umea.se).`],
  [/^{f} '(.*)' is not a web link.*$/, (l, m) => `${l}: ”${m[1]}” är ingen webbadress; skriv hela adressen som börjar med https://.`],
  [/^{f} must be one of:? .*$/, (l) => `${l}: välj ett av alternativen i listan.`],
  [/^{f} must be a telephone number.*$/, (l) => `${l} måste vara ett telefonnummer.`],
  [/^{f} must be a phone number, e\.g\. (.+?) or \S+\.$/, (l, m) => `${l} måste vara ett telefonnummer, t.ex. ${m[1]}.`],
  [/^{f} must be a phone number.*$/, (l) => `${l} måste vara ett telefonnummer, t.ex. 090-16 10 00.`],
  [/^{f} is not a telephone number\.$/, (l) => `${l} är inget telefonnummer.`],
  [/^{f} is not an e-mail address\.$/, (l) => `${l} är ingen e-postadress.`],
  [/^{f} must be between (\S+) .*and (\S+?)\.?$/, (l, m) => `${l} måste vara mellan ${m[1]} och ${m[2]}.`],
  [/^{f} must be at least (\d+) characters\.$/, (l, m) => `${l} måste ha minst ${m[1]} tecken.`],
  [/^{f} ".*" is not a directory id.*$/, (l) => `${l}: välj ur katalogen.`],
  [/^{f} must be a date or time such as/, (l) => `${l} måste vara ett datum eller en tidpunkt, t.ex. 2026-12-06 eller 2026-12-06 08:00.`],
  [/^{f} must be a whole number from (\d+) to (\d+)\.$/, (l, m) => `${l} måste vara ett heltal från ${m[1]} till ${m[2]}.`],
  [/^{f} must not be empty\b.*$/, (l) => `${l} får inte vara tomt.`],
  [/^{f} must be one word of letters and digits/, (l) => `${l} måste vara ett enda ord av bokstäver och siffror, som den som ringer säger det; för en fras, ta dess viktigaste ord.`],
  [/^{f} must hold at least one word/, (l) => `${l} måste innehålla minst ett ord: ämnet eller ordet som katalogen använder.`],
];

const RULES = [
  // Statistics
  [/^the range covers (\d+) days; at most (\d+) days can be asked for at once\.$/, m => `Perioden omfattar ${m[1]} dagar; högst ${m[2]} dagar kan visas åt gången.`],
  [/^to \((\S+)\) must not be before from \((\S+)\)\.$/, m => `Till (${m[1]}) får inte vara före från (${m[2]}).`],
  [/^by "(.*)" is not a slice;/, m => `”${m[1]}” går inte att dela upp efter; välj en eller två uppdelningar i listan.`],
  [/^budget is required/, () => 'Ange budgeten i kronor, till exempel 2400000.'],
  [/^budget "(.*)" is not a number/, m => `Budgeten ”${m[1]}” är inget tal; skriv den i kronor, till exempel 2400000 eller 2400000,50.`],
  [/^budget must not be negative\.$/, () => 'Budgeten får inte vara negativ.'],
  [/^(from|to) "(.*)" is not a date/, m => `${m[1] === 'from' ? 'Från' : 'Till'}: ”${m[2]}” är inget datum; skriv det som åååå-mm-dd.`],
  [/^(from|to) is required, as a date/, m => `Ange ${m[1] === 'from' ? 'från' : 'till'}-datum som åååå-mm-dd.`],
  [/^municipality "(.*)" is not a municipality code/, m => `”${m[1]}” är ingen kommunkod; använd fyra siffror, till exempel 2480 för Umeå.`],
  [/^result must be "kept"/, () => 'Välj om återuppringningen blev av eller inte.'],
  // Call history and register extracts
  [/^to must be after from\.$/, () => 'Till måste vara efter från.'],
  [/^before must be the id of a call/, () => 'Nästa sida kunde inte hämtas; sök igen från början.'],
  [/^Give the phone number \(number=\) or the name/, () => 'Ange ett telefonnummer eller ett namn.'],
  [/^Give either number or name, not both/, () => 'Ange antingen ett telefonnummer eller ett namn, inte båda.'],
  // Directory
  [/^A unit may have at most (\d+) topics \(it has (\d+)\)\.$/, m => `En enhet kan ha högst ${m[1]} ämnen (nu ${m[2]}).`],
  [/^A unit may have at most (\d+) e-services \(it has (\d+)\)\.$/, m => `En enhet kan ha högst ${m[1]} e-tjänster (nu ${m[2]}).`],
  [/^An e-service may have at most (\d+) steps \(it has (\d+)\)\.$/, m => `En e-tjänst kan ha högst ${m[1]} steg (nu ${m[2]}).`],
  [/^The synonym '(.*)' → '(.*)' is already kept/, m => `Synonymen ${m[1]} → ${m[2]} finns redan.`],
  [/^Shared synonyms \(no municipalityCode\) are kept by administrators/, () => 'Gemensamma synonymer sköts av administratörer; lägg till synonymer för din egen kommun.'],
  [/^You may change only your own municipality's synonyms/, () => 'Du kan bara ändra din egen kommuns synonymer.'],
  [/^No synonym has id/, () => 'Synonymen finns inte längre; ladda om.'],
  [/^An on-call alternative needs the number/, () => 'Ange jourtelefonens nummer.'],
  [/^An e-service alternative needs its link/, () => 'Ange länken till e-tjänsten.'],
  [/^A message alternative needs the message/, () => 'Skriv meddelandet till den som ringer.'],
  [/^No municipality has code '?([^'.]*)'?\.$/, m => `Det finns ingen kommun med koden ${m[1]}.`],
  [/^No unit has id \S+; choose an existing parent unit or none\.$/, () => 'Den överordnade enheten finns inte längre; välj en annan eller ingen.'],
  [/^No unit has id \S+; choose an existing unit\.$/, () => 'Enheten finns inte längre; välj en annan.'],
  [/^The parent unit belongs to municipality/, () => 'Den överordnade enheten hör till en annan kommun; den måste höra till samma kommun.'],
  [/^The parent is this unit itself or one of its sub-units/, () => 'En enhet kan inte ingå i sig själv eller i någon av sina underenheter.'],
  [/^A unit cannot move to another municipality/, () => 'En enhet kan inte flyttas till en annan kommun; skapa den där i stället.'],
  [/^Another (unit|person) of \S+ already has the key '(.*)'/, m => `Nyckeln ”${m[2]}” används redan av ${m[1] === 'unit' ? 'en annan enhet' : 'en annan person'} i kommunen.`],
  [/^The unit belongs to \S+; a person can move only between units of their own municipality/, () => 'En person kan bara flyttas mellan enheter i den egna kommunen.'],
  [/^'(.*)' is not an e-service; write name=link/, m => `”${m[1]}” är ingen e-tjänst; skriv namn=länk.`],
  [/^'(.*)' is not a date and time/, m => `”${m[1]}” är inget datum med klockslag; skriv t.ex. 2026-11-24 08:00.`],
  [/^A (unit|person) with the key '(.*)' already exists in (\S+); import only creates new entries\.$/, m => `Det finns redan ${m[1] === 'unit' ? 'en enhet' : 'en person'} med nyckeln ”${m[2]}”; importen skapar bara nya poster.`],
  [/^The key '(.*)' is also used on row (\d+)/, m => `Nyckeln ”${m[1]}” används också på rad ${m[2]}; nycklar måste vara unika.`],
  [/^No unit has the key '(.*)', neither in the file nor in/, m => `Ingen enhet har nyckeln ”${m[1]}”, varken i filen eller i katalogen.`],
  [/^The parents of these rows form a cycle/, () => 'Raderna pekar på varandra som överordnade i en ring; en enhet kan inte ingå i sig själv.'],
  [/^Unknown column '(.*)'/, m => `Okänd kolumn ”${m[1]}”.`],
  [/^The header has no '(.*)' column\.$/, m => `Rubrikraden saknar kolumnen ”${m[1]}”.`],
  [/^The row has (\d+) fields but the header has (\d+)/, m => `Raden har ${m[1]} fält men rubrikraden ${m[2]}; kontrollera avgränsare och citattecken.`],
  [/^The file has no data rows/, () => 'Filen har inga datarader; den behöver en rubrikrad och minst en rad.'],
  [/^The file has (\d+) rows; import at most (\d+)/, m => `Filen har ${m[1]} rader; importera högst ${m[2]} åt gången.`],
  [/^parent is required for a person/, () => 'En person behöver en överordnad: nyckeln till enheten hen arbetar på.'],
  [/^type must be 'unit' or 'person'\.$/, () => 'Typ måste vara unit eller person.'],
  [/^unitId is required/, () => 'Välj enheten personen arbetar på.'],
  [/^referral\.until is required/, () => 'Ange när personen är tillbaka.'],
  [/^mainNumber cannot be blank/, () => 'Huvudnumret kan inte vara tomt.'],
  [/^An editor must belong to a municipality/, () => 'En redaktör måste höra till en kommun: ange kommunkoden, t.ex. 2480 för Umeå.'],
  [/^username may contain only/, () => 'Användarnamnet får bara innehålla a–z, siffror och . _ - @ (3–64 tecken).'],
  [/^password must be at least (\d+) characters\.$/, m => `Lösenordet måste ha minst ${m[1]} tecken.`],
  // Notices
  [/^expiresAt must be in the future\.$/, () => 'Slutet måste ligga i framtiden.'],
  [/^expiresAt must be within (\d+) days/, m => `Gäller till får ligga högst ${m[1]} dagar fram; publicera en ny driftstörning om den varar längre.`],
  [/^topics must be at most (\d+) non-empty keywords of at most (\d+) characters/, m => `Högst ${m[1]} ämnen med högst ${m[2]} tecken vardera.`],
  [/^"(.*)" is not a municipality code\.$/, m => `”${m[1]}” är ingen kommunkod.`],
  // Opening hours
  [/^Give opening hours, or use Closed\.$/, () => 'Ange öppettider, eller välj Stängt.'],
  [/^Give opening hours, or mark the exception as closed\.$/, () => 'Ange tider, eller markera avvikelsen som stängd.'],
  [/^Give the time to close at\.$/, () => 'Ange när det stänger.'],
  [/^Give a reason; operators see it/, () => 'Ange en orsak; telefonisterna ser den när tiderna avviker.'],
  [/^The exception ends \((.*)\) before it starts \((.*)\)/, m => `Avvikelsen slutar (${m[1]}) innan den börjar (${m[2]}); rätta ett av datumen.`],
  [/^(\S+) is outside the supported years (\d+)–(\d+)\.$/, m => `${m[1]} ligger utanför åren ${m[2]}–${m[3]}.`],
  [/^A closed exception cannot have opening hours/, () => 'En stängd avvikelse kan inte ha öppettider; ta bort tiderna eller avmarkera Stängt.'],
  [/^Select at least one weekday/, () => 'Välj minst en veckodag, eller ta bort begränsningen till veckodagar.'],
  [/^"(.*)" and "(.*)" \(Exceptions\[\d+\]\) both cover (\S+) and are equally long/, m => `”${m[1]}” och ”${m[2]}” gäller båda ${m[3]} och är lika långa, så ingen av dem avgör; korta eller slå ihop en av dem.`],
  [/^(.*) overlaps (.*)\. Intervals may meet but not overlap\.$/, m => `${hoursLabel(m[1])} överlappar ${hoursLabel(m[2])}. Tider får mötas men inte överlappa.`],
  [/^At most (\d+) intervals a day \(there are (\d+)\)\.$/, m => `Högst ${m[1]} intervall per dag (nu ${m[2]}).`],
  [/^At most (\d+) exceptions \(there are (\d+)\)/, m => `Högst ${m[1]} avvikelser (nu ${m[2]}); ta bort de som har passerat.`],
  [/^The reason must be at most (\d+) characters \(it has (\d+)\)\.$/, m => `Orsaken får vara högst ${m[1]} tecken (nu ${m[2]}).`],
  [/^Hours are only used with the Hours treatment/, () => 'Tider används bara med Egna tider; ta bort dem.'],
  [/^A closing time is only used with CloseEarly/, () => 'En stängningstid används bara med Stänger tidigare; ta bort den.'],
  [/^"(.*)" is not a time of day/, m => `”${m[1]}” är ingen tid; skriv som TT:MM, t.ex. 08:30.`],
  [/^This value cannot be read here/, () => 'Värdet kan inte läsas: skriv tider som 08:30 och datum som 2026-06-19.'],
  [/^Give the phone number callers are referred to/, () => 'Ange numret den som ringer hänvisas till, t.ex. 090-16 10 00.'],
  [/^Give the full web address of the e-service/, () => 'Ange e-tjänstens fullständiga adress, som börjar med https://.'],
  [/^Write the message callers are given\.$/, () => 'Skriv meddelandet den som ringer får.'],
  [/^Say what callers are offered when closed/, () => 'Ange vad den som ringer erbjuds när det är stängt.'],
  [/^The (weekly schedule|holiday policy|treatment|list of exceptions|list of intervals for \w+) is missing/, () => 'Uppgiften saknas.'],
  [/^If-Match is required\.$/, () => 'Versionen saknas; ladda om och försök igen.'],
  [/^Send the document as JSON/, () => 'Innehållet saknas.'],
  // Routing (hub `invalid`)
  [/^destination is required\.$/, () => 'Välj ett mål.'],
  [/^destination\.id \(or a destination\.number\) is required/, () => 'Välj ett mål i katalogen eller skriv ett nummer.'],
  [/^destination\.number must be a telephone number/, () => 'Numret är inget telefonnummer.'],
  [/^there is no (unit|person) \S+ in the directory\.$/, m => `${m[1] === 'unit' ? 'Enheten' : 'Personen'} finns inte längre i katalogen.`],
  [/^(.*) has no telephone number in the directory; give destination\.number\.$/, m => `${m[1]} har inget telefonnummer i katalogen; skriv numret.`],
  [/^neither (.*) nor (.*) has a telephone number in the directory/, m => `Varken ${m[1]} eller ${m[2]} har ett telefonnummer i katalogen; skriv numret.`],
  [/^windowEnd must be after windowStart\.$/, () => 'Slutet måste vara efter början.'],
  [/^the callback window has already passed/, () => 'Tiden för återuppringningen har redan passerat; välj en tid framåt.'],
  [/^a callback window can be at most (\d+) days long\.$/, m => `Tiden för återuppringning får vara högst ${m[1]} dagar.`],
  [/^(.*) is not open for the whole window (\S+ \S+)–(\S+ \S+); the unit is (closed on (\S+)|open (.*) on (\S+)) \((.*)\)\.$/,
    m => `${m[1]} har inte öppet under hela tiden ${m[2]}–${m[3]}; enheten ${m[5] ? `är stängd ${m[5]}` : `har öppet ${m[6]} den ${m[7]}`} (${nextOpening(m[8])}).`],
  [/^recipientEmail is required: (.*) has no e-mail address in the directory\.$/, m => `${m[1]} har ingen e-postadress i katalogen; skriv mottagarens e-post.`],
  [/^contactNumber is required and must be a telephone number\.$/, () => 'Kontaktnummer måste fyllas i med ett telefonnummer.'],
  [/^municipalityCode "(.*)" is not a municipality\.$/, m => `”${m[1]}” är ingen kommun.`],
  [/^mode must be "blind" or "attended"\.$/, () => 'Välj sätt: direkt eller efter förfrågan.'],
  [/^recipientKind must be "person" or "unit"\.$/, () => 'Mottagaren måste vara en person eller en enhet.'],
  [/^status must be one of/, () => 'Okänd status.'],
  [/^a reason is required when pausing/, () => 'Ange en orsak till pausen.'],
  [/^reason must be at most (\d+) characters\.$/, m => `Orsaken får vara högst ${m[1]} tecken.`],
  // Guidance (hub `invalid`, docs/guidance.md)
  [/^to must be a Swedish mobile number/, () => 'Numret är inget svenskt mobilnummer; skriv t.ex. 070-123 45 67.'],
  [/^to must be one e-mail address/, () => 'Skriv en e-postadress, t.ex. namn@example.se.'],
  [/^to \(the e-mail address the caller gives\) is required/, () => 'Skriv e-postadressen som den som ringer uppger.'],
  [/^the caller's number is withheld or not a Swedish mobile number/, () => 'Den som ringer har dolt nummer eller inget mobilnummer; skriv ett mobilnummer.'],
];

function hoursLabel(text) {
  // "Monday 08:00–12:00 (runs past midnight into Tuesday)" / "08:00–12:00 (24 hours, into the next day)"
  const english = Object.fromEntries(Object.entries(DAYS).map(([k, v]) => [upperFirst(k), v]));
  return text.replace(/\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/g, d => english[d].toLowerCase())
    .replace('(runs past midnight into ', '(över midnatt till ').replace('(24 hours, into ', '(dygnet runt, till ').replace('(24 hours)', '(dygnet runt)')
    .replace('the next day', 'nästa dag');
}

function nextOpening(text) {
  let m;
  if ((m = text.match(/^next opening (.*)$/))) return `nästa öppning ${m[1]}`;
  if ((m = text.match(/^open at (.*) until (.*)$/))) return `öppet ${m[1]} till ${m[2] === 'further notice' ? 'vidare' : m[2]}`;
  if (text === 'no opening in the coming year') return 'ingen öppning det kommande året';
  return text;
}

const escapeRegExp = text => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One English field message in Swedish; null when no pattern knows it. */
function translateKnown(field, message) {
  const text = String(message).trim();
  const label = upperFirst(fieldLabel(field) || 'Fältet');
  const names = [...new Set([field, field?.split('.').pop()].filter(Boolean))];
  // The specific messages first: a generic "{field} is required…" would swallow "contactNumber is required and must be …".
  for (const [pattern, make] of RULES) {
    const m = text.match(pattern);
    if (m) return make(m);
  }
  for (const [pattern, make] of FIELD_RULES) {
    for (const name of names) {
      const m = text.match(new RegExp(pattern.source.replace('{f}', escapeRegExp(name))));
      if (m) return make(label, m);
    }
  }
  return null;
}

/** A field message in Swedish: translated when known, otherwise the service's text after a Swedish lead-in. */
export function translateFieldMessage(field, message) {
  return translateKnown(field, message) ?? `${upperFirst(fieldLabel(field) || 'Fältet')}: växeln svarade ”${message}”`;
}

// ---- the error as a whole -----------------------------------------------------------------------------------------------

/** The field errors of an ApiError (or of a hub `invalid` naming its field), each with a Swedish label and messages. */
export function swedishFieldErrors(error) {
  if (error instanceof ApiError || error?.problem) {
    return Object.entries(error.problem?.errors ?? {}).map(([field, messages]) => ({
      field, label: fieldLabel(field), messages: [messages].flat().map(message => translateFieldMessage(field, message)),
    }));
  }
  const hub = hubError(error);
  if (hub?.code === 'invalid') {
    const m = hub.text.match(/^([\w.[\]/]+): (.*)$/s);
    if (m && (LABELS[m[1]] || m[1].includes('.'))) return [{ field: m[1], label: fieldLabel(m[1]), messages: [translateFieldMessage(m[1], m[2])] }];
    const f = hub.text.match(/^([\w.]+) (?:is|must|'|")/);
    if (f && LABELS[f[1]]) return [{ field: f[1], label: fieldLabel(f[1]), messages: [translateFieldMessage(f[1], hub.text)] }];
  }
  return [];
}

/** The error as Swedish sentences for a person. Accepts an ApiError, a hub error, any Error or a plain text. */
export function swedishMessage(error) {
  if (error === null || error === undefined) return '';
  if (typeof error === 'string') return error;
  if (error instanceof ApiError || (error?.status && 'problem' in error)) return apiMessage(error);
  const hub = hubError(error);
  if (hub) return hubMessage(hub);
  return otherMessage(error);
}

function apiMessage(e) {
  const p = e.problem ?? {};
  const detail = p.detail || p.title || '';
  const fields = swedishFieldErrors(e);
  switch (e.status) {
    case 400:
    case 422:
      if (fields.length) return `Kontrollera fälten: ${fields.map(f => withLabel(f)).join(' ')} Ingenting sparades.`;
      return `Uppgifterna kunde inte tas emot. Växeln svarade: ”${detail}”`;
    case 401: return 'Du är inte inloggad längre. Logga in igen.';
    case 403:
      if (/search calls by the caller's number/.test(detail)) {
        return 'Bara administratörer får söka på telefonnummer; chefer ser samtalen utan nummer. Sök på tid eller samtals-id.';
      }
      if (/own municipality/.test(detail)) return 'Du får bara ändra din egen kommuns uppgifter. Ingenting sparades.';
      if (/administrator/i.test(detail)) return 'Bara en administratör får göra den här ändringen. Ingenting sparades.';
      return 'Du har inte behörighet att göra det här. Ingenting ändrades.';
    case 404: return notFoundMessage(detail);
    case 409:
      if (p.changedBy) {
        return `Någon annan hann före: ${p.changedBy} ändrade uppgifterna ${when(p.changedAt)}. `
          + 'Ingenting sparades. Ladda om och gör din ändring igen.';
      }
      if (p.currentVersion === 0) return 'Uppgifterna finns inte sparade längre. Ladda om och spara igen. Ingenting sparades.';
      return conflictMessage(detail);
    case 412:
    case 428: return 'Uppgifterna du ändrar saknar version eller är inaktuella. Ladda om och gör din ändring igen. Ingenting sparades.';
    case 413: return 'Filen är för stor.';
    case 429: return 'För många försök på kort tid. Vänta en stund och försök igen.';
    case 502: case 503: case 504: return 'Växeln svarar inte just nu. Försök igen om en stund.';
    default:
      if (e.status >= 500) {
        return 'Något gick fel i växeln. Om det var en ändring sparades ingenting. Försök igen'
          + (p.traceId ? `; om det händer igen, ge supporten felkoden ${p.traceId}.` : '.');
      }
      return detail ? `Växeln svarade (fel ${e.status}): ”${detail}”` : `Växeln svarade med fel ${e.status}.`;
  }
}

const withLabel = f => f.messages.map(m => (m.startsWith(f.label) ? m : `${f.label}: ${lowerFirstUnlessName(m)}`)).join(' ');
const lowerFirstUnlessName = text => (/^[A-ZÅÄÖ][a-zåäö]+ [a-zåäö]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text);

function notFoundMessage(detail) {
  if (/switchboard's hours have not been set/.test(detail)) return 'Växelns öppettider är inte inlagda ännu.';
  if (/has no opening hours/.test(detail)) return 'Enheten har inga öppettider inlagda ännu.';
  if (/^No unit has id/.test(detail)) return 'Enheten finns inte längre. Ladda om listan.';
  if (/^No person has id/.test(detail)) return 'Personen finns inte längre. Ladda om listan.';
  if (/^No municipality has code/.test(detail)) return 'Kommunen finns inte.';
  if (/^No notice .* is in force/.test(detail)) return 'Driftstörningen gäller inte längre.';
  if (/^No account has id/.test(detail)) return 'Kontot finns inte längre.';
  if (/^There is no call/.test(detail)) return 'Samtalet finns inte (längre); det kan ha gallrats eller raderats.';
  return detail ? `Hittades inte. Växeln svarade: ”${detail}”` : 'Det du söker finns inte (längre).';
}

function conflictMessage(detail) {
  let m;
  if ((m = detail.match(/^The unit '(.*)' still has (\d+) people and (\d+) sub-units/))) {
    return `${m[1]} har fortfarande ${m[2]} personer och ${m[3]} underenheter; flytta eller ta bort dem först. Ingenting togs bort.`;
  }
  if ((m = detail.match(/^The username '(.*)' is already taken/))) return `Användarnamnet ”${m[1]}” är upptaget; välj ett annat.`;
  if (/^This is the last active administrator/.test(detail)) {
    return 'Det här är den sista aktiva administratören. Gör först ett annat konto till administratör och försök sedan igen. Ingenting ändrades.';
  }
  if (/^You cannot disable your own account/.test(detail)) {
    return 'Du kan inte stänga av ditt eget konto; be en annan administratör göra det. Ingenting ändrades.';
  }
  return `Det gick inte eftersom uppgifterna har ändrats. Växeln svarade: ”${detail}”`;
}

// ---- hub errors -----------------------------------------------------------------------------------------------------

const HUB_CODES = ['call-taken', 'offer-expired', 'not-your-call', 'already-on-call', 'invalid', 'not-found', 'wrong-state',
  'destination-closed', 'person-away', 'account-revoked', 'forbidden', 'server-error'];

/**
 * { code, text } of a hub error, or null when the error did not come from the hub. The client's Error.message is
 * "An unexpected error occurred invoking '<Method>' on the server. HubException: <code>: <text>" (docs/hub.md, "Errors");
 * the code is what follows the first "HubException: " up to ": ". An error SignalR sends without a code (an
 * unknown method, arguments it could not read) reads as `server`.
 */
export function hubError(error) {
  const message = String(error?.message ?? '');
  const body = message.match(/HubException: (.*)$/s)?.[1] ?? message;
  const m = body.match(/^([a-z-]+): (.*)$/s);
  if (m && HUB_CODES.includes(m[1])) return { code: m[1], text: m[2] };
  if (/An unexpected error occurred invoking|^Failed to invoke '|^Unknown hub method/.test(message)) return { code: 'server', text: message };
  return null;
}

function hubMessage({ code, text }) {
  switch (code) {
    case 'forbidden': return 'Din roll får inte göra det här. Logga in med ett konto som får det, eller be en administratör om hjälp.';
    case 'account-revoked':
      return 'Din session har avslutats: en administratör har stängt av kontot, satt ett nytt lösenord eller ändrat din roll. Logga in igen.';
    case 'call-taken':
      return /offered to another/.test(text) ? 'Samtalet erbjuds just nu en annan telefonist.' : 'En annan telefonist har redan tagit samtalet.';
    case 'offer-expired':
      return 'Erbjudandet har gått ut' + (/back in the queue/.test(text) ? '; samtalet är tillbaka i kön.' : '.');
    case 'not-your-call':
      if (/send a link only/.test(text)) return 'Du kan bara skicka länkar till den du har i samtal just nu.';
      return /take the call before/.test(text) ? 'Ta samtalet innan du avslutar det.' : 'Samtalet är hos en annan telefonist.';
    case 'already-on-call': return 'Du har redan ett samtal. Avsluta det innan du tar ett nytt.';
    case 'wrong-state':
      if (/hung up/.test(text)) return 'Den som ringde har lagt på.';
      if (/already been completed/.test(text)) return 'Samtalet är redan avslutat.';
      if (/a link is sent while/.test(text)) return 'Samtalet har avslutats; länkar skickas medan samtalet pågår.';
      if (/attended transfer needs a consultation/.test(text)) return 'Koppling efter förfrågan kräver att du först gör en förfrågan (K).';
      if (/no consultation|not in consultation|consultation/.test(text)) return 'Ingen förfrågan pågår.';
      return `Samtalet är inte i ett läge där det går just nu. Växeln svarade: ”${text}”`;
    case 'destination-closed': return closedMessage(text);
    case 'person-away': return awayMessage(text);
    case 'not-found':
      if (/no call/.test(text)) return 'Samtalet finns inte längre.';
      if (/not registered as an operator/.test(text)) return 'Du är inte registrerad som telefonist. Ladda om sidan.';
      return `Hittades inte. Växeln svarade: ”${text}”`;
    case 'invalid': {
      const fields = swedishFieldErrors({ message: `invalid: ${text}` });
      if (fields.length) return fields.map(f => f.messages.join(' ')).join(' ');
      const known = translateKnown(null, text);
      return known ?? `Uppgifterna godtogs inte. Växeln svarade: ”${text}”`;
    }
    default: return 'Något gick fel i växeln; åtgärden utfördes kanske inte. Försök igen.';
  }
}

// "Socialtjänsten is closed until 2026-12-02 13:00; offer the caller: the on-call number +4690161000 (Socialjouren)."
function closedMessage(text) {
  const m = text.match(/^(.*) is closed (until (\S+ \S+)|with no opening in the coming year); offer the caller: (.*?)\.?$/s);
  if (!m) return `Målet är stängt. Växeln svarade: ”${text}”`;
  const until = m[3] ? ` till ${m[3]}` : ' och öppnar inte under det kommande året';
  return formatPhonesIn(`${m[1]} är stängt${until}. Erbjud den som ringer ${fallbackText(m[4])}.`);
}

function fallbackText(text) {
  let m;
  if ((m = text.match(/^the on-call number (\S+)(?: \((.*)\))?$/s))) return `jourtelefonen ${m[1]}${m[2] ? ` (${m[2]})` : ''}`;
  if ((m = text.match(/^the e-service (\S+)(?: \((.*)\))?$/s))) return `e-tjänsten ${m[1]}${m[2] ? ` (${m[2]})` : ''}`;
  if ((m = text.match(/^a callback when the unit is open \(BookCallback\)(?: \((.*)\))?$/s))) return `en återuppringning när enheten har öppet (R)${m[1] ? ` – ${m[1]}` : ''}`;
  if (text === 'a message to the unit (TakeMessage)') return 'att lämna ett meddelande till enheten (M)';
  if (text === "the unit's opening hours, or a message (TakeMessage)") return 'enhetens öppettider, eller att lämna ett meddelande (M)';
  return `: ${text}`; // the unit's own words, written by its editor in Swedish
}

// "Eva Ek is away until 2026-12-04 08:00 (Semester); refer to Karin Berg, +4693314010. Transfer anyway with acknowledgeAway: true."
function awayMessage(text) {
  const m = text.match(/^(.*?) is away until (\S+ \S+)(?: \((.*?)\))?(?:; refer to (.*?))?\. Transfer anyway/s);
  if (!m) return `Personen är inte på plats. Växeln svarade: ”${text}”`;
  return formatPhonesIn(`${m[1]} är borta till ${m[2]}${m[3] ? ` (${m[3]})` : ''}.${m[4] ? ` Hänvisa till ${m[4]}.` : ''}`)
    + ' Välj ”Efter förfrågan” för att tala med personen först, eller koppla ändå när den som ringer vet om det.';
}

function otherMessage(error) {
  const message = String(error?.message ?? error);
  if (error instanceof TypeError && /fetch|network/i.test(message)) return 'Kunde inte nå växeln. Kontrollera anslutningen och försök igen.';
  if (/underlying connection being closed|connection was stopped|not in the 'Connected' State/i.test(message)) {
    return 'Anslutningen till växeln bröts innan svaret kom. Kontrollera resultatet när anslutningen är tillbaka.';
  }
  if (/[åäöÅÄÖ]|^(Inte|Välj|Ange|Du|Det|Kunde)\b/.test(message)) return message; // already Swedish (the dashboard's own)
  return `Något gick fel: ${message}`;
}

/** A step that went through with a warning (CallView.warning: "closes-soon: …", "person-away: …", "hours-unknown: …"). */
export function swedishWarning(warning) {
  if (!warning) return '';
  const [, code, text] = String(warning).match(/^([a-z-]+): (.*)$/s) ?? [null, '', String(warning)];
  let m;
  if (code === 'closes-soon' && (m = text.match(/^(.*) closes at (\S+ \S+|\S+);/s))) {
    return `${m[1]} stänger ${m[2]}; den som ringer kanske inte når någon efter det.`;
  }
  if (code === 'person-away' && (m = text.match(/^(.*?) is away until (\S+ \S+)(?: \((.*?)\))?(?:; refer to (.*?))?\.?$/s))) {
    return formatPhonesIn(`${m[1]} är borta till ${m[2]}${m[3] ? ` (${m[3]})` : ''}.${m[4] ? ` Hänvisa till ${m[4]}.` : ''}`);
  }
  if (code === 'hours-unknown' && (m = text.match(/^(.*) has no opening hours in the switchboard/s))) {
    return `${m[1]} har inga öppettider i växeln, så tiden kunde inte kontrolleras.`;
  }
  return `Observera: ${text}`;
}

// ---- reasons the service gives (docs/hub.md): by their code, with the English text for older senders ------------------

const OFFER_ENDINGS = {
  'timed-out': 'Du svarade inte i tid; samtalet gick tillbaka till kön och du är pausad tills du gör dig tillgänglig (1).',
  'caller-hung-up': 'Den som ringde lade på.',
  'status-changed': 'Du lämnade Tillgänglig; samtalet gick tillbaka till kön.',
  'accepted-elsewhere': 'Du tog samtalet i ett annat fönster.',
};

/** Why an offer ended (OfferWithdrawn { code, reason }), in Swedish. */
export function swedishOfferEnding(withdrawn) {
  if (OFFER_ENDINGS[withdrawn?.code]) return OFFER_ENDINGS[withdrawn.code];
  const reason = String(withdrawn?.reason ?? '');
  if (/^The caller hung up/.test(reason)) return OFFER_ENDINGS['caller-hung-up'];
  if (/^Not accepted within/.test(reason)) return OFFER_ENDINGS['timed-out'];
  return 'Erbjudandet avslutades.';
}

const PAUSED_REASONS = { 'missed-offer': 'Missade ett erbjudet samtal' };

/** Why an operator is paused (OperatorState/OperatorSummary pausedReason and pausedReasonCode), in Swedish: the
 * service's own reasons by code; a reason the operator chose is their own (Swedish) word. */
export function swedishPausedReason(code, reason) {
  if (PAUSED_REASONS[code]) return PAUSED_REASONS[code];
  if (reason === 'Did not answer an offered call') return PAUSED_REASONS['missed-offer'];
  return reason ?? '';
}
