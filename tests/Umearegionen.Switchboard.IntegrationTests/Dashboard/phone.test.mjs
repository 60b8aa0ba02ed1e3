// The dashboard's Swedish telephone numbers (wwwroot/js/phone.js). Run by DashboardPhoneNumberTests (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';

const root = process.env.SWITCHBOARD_WWWROOT;
const { formatPhone, formatPhonesIn } = await import(pathToFileURL(`${root}/js/phone.js`));

test('numbers of the region in the national form operators read aloud', () => {
  const cases = [
    ['+4693214798', '0932-147 98'], // Bjurholm, four-digit area code
    ['+4693214000', '0932-140 00'],
    ['+46933123456', '0933-12 34 56'], // Vindeln, six-digit subscriber number
    ['+4693412345', '0934-123 45'], // Robertsfors
    ['+4693512345', '0935-123 45'], // Vännäs
    ['+4693012345', '0930-123 45'], // Nordmaling
    ['+4690161000', '090-16 10 00'], // Umeå
    ['+46901234567', '090-123 45 67'],
    ['+46701234567', '070-123 45 67'], // mobile
    ['+46761234567', '076-123 45 67'],
    ['+46812345678', '08-123 456 78'], // Stockholm, eight digits
    ['+4681234567', '08-123 45 67'],
    ['+46311234567', '031-123 45 67'], // Göteborg
    ['+4640123456', '040-12 34 56'], // Malmö
    ['+4620123456', '020-12 34 56'], // toll free
  ];
  for (const [e164, national] of cases) assert.equal(formatPhone(e164), national, e164);
});

test('a number already national, spaced, or with 0046 reads the same', () => {
  assert.equal(formatPhone('070-123 45 67'), '070-123 45 67');
  assert.equal(formatPhone('0701234567'), '070-123 45 67');
  assert.equal(formatPhone('0046 90 161000'), '090-16 10 00');
  assert.equal(formatPhone('+46 (0)90 16 10 00'), '090-16 10 00');
  assert.equal(formatPhone(' 0932-14798 '), '0932-147 98');
});

test('foreign numbers, short numbers and words are shown as given', () => {
  assert.equal(formatPhone('+4712345678'), '+4712345678');
  assert.equal(formatPhone('+358401234567'), '+358401234567');
  assert.equal(formatPhone('112'), '112');
  assert.equal(formatPhone('anonymous'), 'anonymous');
  assert.equal(formatPhone(''), '');
  assert.equal(formatPhone(null), '');
  assert.equal(formatPhone(undefined), '');
});

test('numbers inside a sentence', () => {
  assert.equal(formatPhonesIn('ring jouren +4690161000 (Socialjouren)'), 'ring jouren 090-16 10 00 (Socialjouren)');
  assert.equal(formatPhonesIn('Karin Berg, +4693314010.'), 'Karin Berg, 0933-140 10.');
  assert.equal(formatPhonesIn('inget nummer'), 'inget nummer');
});
