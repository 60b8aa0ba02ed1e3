// The dashboard's Swedish error texts (wwwroot/js/errors.js) against the service's English messages.
// Run by DashboardErrorTextsTests (node --test); SWITCHBOARD_WWWROOT points at the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';

const root = process.env.SWITCHBOARD_WWWROOT;
const { swedishMessage, swedishFieldErrors, fieldLabel, swedishWarning, translateFieldMessage, hubError, swedishOfferEnding, swedishPausedReason } = await import(pathToFileURL(`${root}/js/errors.js`));
const { ApiError } = await import(pathToFileURL(`${root}/js/api.js`));

const hub = text => new Error(`An unexpected error occurred invoking 'TransferCall' on the server. HubException: ${text}`);
const validation = errors => new ApiError(400, { title: 'The request has invalid fields', detail: 'Some fields are missing or invalid; correct them and send the request again.', errors });

test('field errors are translated by pattern with Swedish field labels', () => {
  const cases = [
    ['name', 'name is required.', 'Namn måste fyllas i.'],
    ['whenClosed.text', 'whenClosed.text must be at most 1000 characters (it has 1200).', 'Att säga till den som ringer får vara högst 1000 tecken (nu 1200).'],
    ['note', 'note must be one line without control characters or text-direction overrides (it has U+202E at position 5).', 'Anteckning får bara vara en rad, utan kontrolltecken eller tecken som vänder textriktningen.'],
    ['phone', "phone 'abc' is not a Swedish phone number; write it e.g. as 090-16 10 00 or +46 90 161000.", 'Telefon: ”abc” är inget svenskt telefonnummer; skriv t.ex. 090-16 10 00 eller +46 90 161000.'],
    ['email', "email 'x@' is not an e-mail address (like namn@umea.se, at most 254 characters).", 'E-post: ”x@” är ingen e-postadress (som namn@umea.se).'],
    ['julafton.hours', 'Give opening hours, or use Closed.', 'Ange öppettider, eller välj Stängt.'],
    ['dayBeforeHoliday.at', 'Give the time to close at.', 'Ange när det stänger.'],
    ['exceptions[0].reason', 'Give a reason; operators see it when the hours deviate.', 'Ange en orsak; telefonisterna ser den när tiderna avviker.'],
    ['weekly.monday[1]', 'Monday 11:00–13:00 overlaps Monday 08:00–12:00. Intervals may meet but not overlap.', 'måndag 11:00–13:00 överlappar måndag 08:00–12:00. Tider får mötas men inte överlappa.'],
    ['municipalityCode', 'An editor must belong to a municipality: give its code, e.g. 2480 for Umeå.', 'En redaktör måste höra till en kommun: ange kommunkoden, t.ex. 2480 för Umeå.'],
    ['expiresAt', 'expiresAt must be in the future.', 'Slutet måste ligga i framtiden.'],
    ['If-Match', 'If-Match is required.', 'Versionen saknas; ladda om och försök igen.'],
  ];
  for (const [field, english, swedish] of cases) assert.equal(translateFieldMessage(field, english), swedish, field);
});

test('an unknown field message keeps the service text behind a Swedish lead-in', () => {
  assert.equal(translateFieldMessage('name', 'Something new.'), 'Namn: växeln svarade ”Something new.”');
});

test('labels of deep opening-hours paths', () => {
  assert.equal(fieldLabel('exceptions[2].to'), 'Avvikelse 3, till');
  assert.equal(fieldLabel('holidays.julafton.hours'), 'Julafton, tider');
  assert.equal(fieldLabel('weekly.sunday[0]'), 'Söndag (intervall 1)');
});

test('a 400 names every field in Swedish and says nothing was saved', () => {
  const e = validation({ name: ['name is required.'], 'julafton.hours': ['Give opening hours, or use Closed.'] });
  assert.equal(swedishMessage(e), 'Kontrollera fälten: Namn måste fyllas i. Julafton, tider: ange öppettider, eller välj Stängt. Ingenting sparades.');
  assert.deepEqual(swedishFieldErrors(e).map(f => f.label), ['Namn', 'Julafton, tider']);
});

test('each status gets a sentence of its own', () => {
  assert.match(swedishMessage(new ApiError(401, {})), /inte inloggad/);
  assert.match(swedishMessage(new ApiError(403, { detail: "You may change only your own municipality's units; this unit belongs to 2480." })), /din egen kommuns/);
  assert.equal(swedishMessage(new ApiError(404, { detail: "The switchboard's hours have not been set yet." })), 'Växelns öppettider är inte inlagda ännu.');
  const conflict = swedishMessage(new ApiError(409, { title: 'Changed by someone else', changedBy: 'Anna Lind', changedAt: '2026-06-18T08:30:00Z', currentVersion: 4 }));
  assert.equal(conflict, 'Någon annan hann före: Anna Lind ändrade uppgifterna 2026-06-18 10:30. Ingenting sparades. Ladda om och gör din ändring igen.');
  assert.match(swedishMessage(new ApiError(428, {})), /saknar version/);
  assert.match(swedishMessage(new ApiError(429, {})), /För många försök/);
  assert.match(swedishMessage(new ApiError(500, { traceId: '00-4bf92f35-01' })), /felkoden 00-4bf92f35-01/);
  assert.equal(swedishMessage(new ApiError(418, { detail: 'Odd.' })), 'Växeln svarade (fel 418): ”Odd.”');
});

test('every hub error code reads as Swedish', () => {
  const cases = [
    ['call-taken: another operator has taken the call.', 'En annan telefonist har redan tagit samtalet.'],
    ['call-taken: the call is offered to another operator.', 'Samtalet erbjuds just nu en annan telefonist.'],
    ['offer-expired: the offer has expired; the call is back in the queue.', 'Erbjudandet har gått ut; samtalet är tillbaka i kön.'],
    ['not-your-call: the call is with another operator.', 'Samtalet är hos en annan telefonist.'],
    ['already-on-call: you already have a call; finish it before taking another.', 'Du har redan ett samtal. Avsluta det innan du tar ett nytt.'],
    ['wrong-state: the caller has hung up.', 'Den som ringde har lagt på.'],
    ['wrong-state: an attended transfer needs a consultation first: call StartConsultation.', 'Koppling efter förfrågan kräver att du först gör en förfrågan (K).'],
    ['not-found: there is no call 0190-abc.', 'Samtalet finns inte längre.'],
    ['invalid: wrapUpCategory is required.', 'Kategori måste fyllas i.'],
    ['invalid: contactNumber is required and must be a telephone number.', 'Kontaktnummer måste fyllas i med ett telefonnummer.'],
    ['destination-closed: Socialtjänsten is closed until 2026-12-02 13:00; offer the caller: the on-call number +4690161000 (Socialjouren).',
      'Socialtjänsten är stängt till 2026-12-02 13:00. Erbjud den som ringer jourtelefonen 090-16 10 00 (Socialjouren).'],
    ['destination-closed: Bygglov is closed with no opening in the coming year; offer the caller: the e-service https://www.umea.se/bygglov.',
      'Bygglov är stängt och öppnar inte under det kommande året. Erbjud den som ringer e-tjänsten https://www.umea.se/bygglov.'],
    ['person-away: Eva Ek is away until 2026-12-04 08:00 (Semester); refer to Karin Berg, +4693314010. Transfer anyway with acknowledgeAway: true.',
      'Eva Ek är borta till 2026-12-04 08:00 (Semester). Hänvisa till Karin Berg, 0933-140 10. Välj ”Efter förfrågan” för att tala med personen först, eller koppla ändå när den som ringer vet om det.'],
    ['forbidden: TransferCall is for operators; your role (manager) may not call it.',
      'Din roll får inte göra det här. Logga in med ett konto som får det, eller be en administratör om hjälp.'],
    ['server-error: the service failed to carry out TransferCall; it may or may not have been done. Check the screen (Resync) and try again; tell support if it happens again.',
      'Något gick fel i växeln; åtgärden utfördes kanske inte. Försök igen.'],
  ];
  for (const [english, swedish] of cases) assert.equal(swedishMessage(hub(english)), swedish, english);
  assert.deepEqual(hubError(hub('forbidden: TransferCall is for operators; your role (manager) may not call it.')),
    { code: 'forbidden', text: 'TransferCall is for operators; your role (manager) may not call it.' });
  assert.equal(hubError(new Error("An unexpected error occurred invoking 'TransferCall' on the server.")).code, 'server');
  assert.equal(hubError(new Error("Failed to invoke 'AcceptCall' due to an error on the server.")).code, 'server');
  assert.equal(swedishMessage(hub('invalid: something unforeseen.')), 'Uppgifterna godtogs inte. Växeln svarade: ”something unforeseen.”');
  assert.equal(swedishFieldErrors(hub('invalid: windowEnd must be after windowStart.'))[0]?.field, 'windowEnd');
});

test('connection failures and warnings', () => {
  assert.match(swedishMessage(new Error('Invocation canceled due to the underlying connection being closed.')), /Anslutningen till växeln bröts/);
  assert.match(swedishMessage(new TypeError('Failed to fetch')), /Kunde inte nå växeln/);
  assert.equal(swedishWarning('closes-soon: Bygglov closes at 2026-12-02 16:30; the caller may not reach anyone after that.'),
    'Bygglov stänger 2026-12-02 16:30; den som ringer kanske inte når någon efter det.');
});

test('statistics messages are Swedish', () => {
  const cases = [
    ['to', 'the range covers 800 days; at most 731 days can be asked for at once.', 'Perioden omfattar 800 dagar; högst 731 dagar kan visas åt gången.'],
    ['to', 'to (2026-01-01) must not be before from (2026-02-01).', 'Till (2026-01-01) får inte vara före från (2026-02-01).'],
    ['budget', 'budget must not be negative.', 'Budgeten får inte vara negativ.'],
    ['budget', 'budget "tio" is not a number; write it in SEK, for example 2400000 or 2400000.50.', 'Budgeten ”tio” är inget tal; skriv den i kronor, till exempel 2400000 eller 2400000,50.'],
    ['from', 'from "igår" is not a date; write it as yyyy-MM-dd, for example 2026-03-01.', 'Från: ”igår” är inget datum; skriv det som åååå-mm-dd.'],
    ['municipality', 'municipality "99" is not a municipality code; use a four-digit code such as 2480 (Umeå).', '”99” är ingen kommunkod; använd fyra siffror, till exempel 2480 för Umeå.'],
  ];
  for (const [field, english, swedish] of cases) assert.equal(translateFieldMessage(field, english), swedish, english);
});

test('call history and register extract errors read as Swedish sentences', () => {
  const fields = [
    ['from', 'from must be a date or time such as 2026-12-06 or 2026-12-06T08:00:00+01:00.', 'Från måste vara ett datum eller en tidpunkt, t.ex. 2026-12-06 eller 2026-12-06 08:00.'],
    ['limit', 'limit must be a whole number from 1 to 200.', 'Antal måste vara ett heltal från 1 till 200.'],
    ['number', 'number must be a phone number, e.g. 070-123 45 67 or +46701234567.', 'Telefonnummer måste vara ett telefonnummer, t.ex. 070-123 45 67.'],
    ['name', 'name must not be empty.', 'Namn får inte vara tomt.'],
    ['to', 'to must be after from.', 'Till måste vara efter från.'],
    ['number', 'Give either number or name, not both: take one extract for each.', 'Ange antingen ett telefonnummer eller ett namn, inte båda.'],
  ];
  for (const [field, english, swedish] of fields) assert.equal(translateFieldMessage(field, english), swedish, english);
  const forbidden = new ApiError(403, { detail: "Only administrators may search calls by the caller's number: managers see calls without it. Search by time or platform call id, or ask an administrator." });
  assert.equal(swedishMessage(forbidden), 'Bara administratörer får söka på telefonnummer; chefer ser samtalen utan nummer. Sök på tid eller samtals-id.');
  assert.equal(swedishMessage(new ApiError(404, { detail: 'There is no call 0193a5c4-0000-7000-8000-000000000000; it may have been removed, or the id is wrong.' })),
    'Samtalet finns inte (längre); det kan ha gallrats eller raderats.');
});

test('access: a revoked session and the refusals of account changes are Swedish', () => {
  assert.match(swedishMessage(hub('account-revoked: your session has ended (the account was disabled, its password was set or its role changed by an administrator); sign in again.')),
    /^Din session har avslutats: en administratör har stängt av kontot.*Logga in igen\.$/);
  assert.equal(swedishMessage(new ApiError(409, { detail: 'This is the last active administrator. Make another account an administrator first, then try again.' })),
    'Det här är den sista aktiva administratören. Gör först ett annat konto till administratör och försök sedan igen. Ingenting ändrades.');
  assert.equal(swedishMessage(new ApiError(409, { detail: 'You cannot disable your own account; ask another administrator to do it.' })),
    'Du kan inte stänga av ditt eget konto; be en annan administratör göra det. Ingenting ändrades.');
  assert.equal(translateFieldMessage('number', 'number must be a phone number, e.g. 090-16 10 00 or +4690161000.'),
    'Telefonnummer måste vara ett telefonnummer, t.ex. 090-16 10 00.');
});

test('why an offer ended and why the service paused an operator read as Swedish, by code or by the older English text', () => {
  assert.equal(swedishOfferEnding({ callId: 'x', reason: 'The caller hung up.', code: 'caller-hung-up' }), 'Den som ringde lade på.');
  assert.equal(swedishOfferEnding({ callId: 'x', reason: 'The caller hung up.' }), 'Den som ringde lade på.');
  assert.match(swedishOfferEnding({ reason: 'Not accepted within 15 seconds; you are paused until you set yourself available.', code: 'timed-out' }), /^Du svarade inte i tid/);
  assert.match(swedishOfferEnding({ reason: 'Not accepted within 15 seconds; you are paused until you set yourself available.' }), /^Du svarade inte i tid/);
  assert.equal(swedishOfferEnding({ reason: 'You set yourself paused; the call went back to the queue.', code: 'status-changed' }), 'Du lämnade Tillgänglig; samtalet gick tillbaka till kön.');
  assert.equal(swedishOfferEnding({ reason: 'Something new.', code: 'something-new' }), 'Erbjudandet avslutades.');
  assert.equal(swedishPausedReason('missed-offer', 'Did not answer an offered call'), 'Missade ett erbjudet samtal');
  assert.equal(swedishPausedReason(null, 'Did not answer an offered call'), 'Missade ett erbjudet samtal');
  assert.equal(swedishPausedReason(null, 'Lunch'), 'Lunch');
  assert.equal(swedishPausedReason(null, null), '');
});
