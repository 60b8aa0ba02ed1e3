import { api } from '../api.js';
import * as hub from '../hub.js';
import { h, formatDateTime, loadMunicipalities } from '../dom.js';
import { save } from '../form.js';
import { historyList } from '../history.js';
import { policyFields, comingSpecialDays, previewTable, changedTreatments, DEFAULT_POLICY } from '../holiday-policy.js';

// Editors (their own municipality) and administrators (any, with a chooser): what the municipality's units do on
// public holidays, the eves and the day before a holiday; the coming holidays under the rules; the change history.
export default {
  id: 'helgdagar',
  title: 'Helgdagar',
  roles: ['editor', 'administrator'],
  async render(container, { user }) {
    const municipalities = (await loadMunicipalities()).filter(m => m.servedBySwitchboard);
    let code = user.municipalityCode ?? municipalities[0].code;
    let stored = null;
    let days = [];
    let dirty = false;
    const nameOf = c => municipalities.find(m => m.code === c)?.name ?? c;
    const genitive = c => (/[sxz]$/.test(nameOf(c)) ? nameOf(c) : `${nameOf(c)}s`);
    const heading = h('h2', {});
    const picker = user.municipalityCode ? null : h('select', { id: 'hp-municipality', onchange: e => { code = e.target.value; load(); } },
      municipalities.map(m => h('option', { value: m.code }, m.name)));
    const status = h('p.muted', { id: 'hp-status', role: 'status' });
    const notice = h('div.notice-bar', { id: 'hp-changed', hidden: true });
    const form = h('form.policy-form', { id: 'hp-form', novalidate: true });
    const preview = h('section.panel', { 'aria-labelledby': 'hp-preview-title' });
    const history = h('section.panel', { 'aria-labelledby': 'hp-history-title' });

    container.append(h('div.holiday-policy', {},
      h('div.policy-main', {}, heading,
        picker ? h('div.search-row', {}, h('label', { for: 'hp-municipality' }, 'Kommun'), picker) : null,
        h('p', {}, 'Reglerna gäller kommunens alla enheter med öppettider. En enhet kan avvika i sina egna öppettider; '
          + 'en avvikelse markerad "Även helgdag" (t.ex. öppet julafton) går före.'),
        status, notice, form),
      h('div.policy-side', {}, preview, history)));

    // A slower answer for an earlier choice of municipality never overwrites a newer one.
    let loading = 0;
    async function load() {
      const mine = ++loading;
      const shown = code;
      const [policy, coming] = await Promise.all([api(`/api/opening-hours/municipalities/${shown}/holiday-policy`), days.length ? days : comingSpecialDays()]);
      if (mine !== loading) return;
      [stored, days] = [policy, coming];
      dirty = false;
      notice.hidden = true;
      heading.textContent = `Helgdagar – ${nameOf(shown)}`;
      status.textContent = stored.isDefault
        ? 'Standardregler (inte ändrade av kommunen): stängt på helgdagar och aftnar, stänger 15:00 dagen före en helgdag.'
        : `Version ${stored.version}, senast ändrad ${formatDateTime(stored.updatedAt)} av ${stored.updatedBy}.`;
      renderForm();
      await renderHistory(shown, mine);
    }

    function renderForm() {
      const error = h('p.error', { id: 'hp-error', role: 'alert' });
      const saved = h('p.ok', { role: 'status' });
      const fields = policyFields(stored.policy, { prefix: 'hp', onChange: () => { dirty = true; saved.textContent = ''; renderPreview(fields) } });
      form.replaceChildren(fields.element,
        h('div.actions', {}, h('button.primary', { type: 'submit' }, 'Spara helgdagsregler'),
          h('button', { type: 'button', id: 'hp-reload', onclick: () => load() }, 'Ladda om')),
        error, saved);
      form.onsubmit = async event => {
        event.preventDefault();
        let body;
        try { body = fields.read(); } catch (message) { error.textContent = String(message); return; }
        const result = await save(error, `/api/opening-hours/municipalities/${code}/holiday-policy`,
          { method: 'PUT', version: stored.version, body, fields: fields.fieldControl });
        if (!result) return;
        await load();
        form.querySelector('.ok').textContent = `Sparat. Reglerna gäller nu ${genitive(code)} enheter.`;
      };
      renderPreview(fields);
    }

    function renderPreview(fields) {
      let policy;
      try { policy = fields.read(); } catch { policy = stored.policy; }
      preview.replaceChildren(h('h3', { id: 'hp-preview-title' }, 'Kommande helgdagar'),
        h('p.muted', {}, dirty ? 'Så blir det med ändringarna i formuläret (inte sparade än).' : 'Så gäller de sparade reglerna.'),
        previewTable(days, policy, { id: 'hp-preview', caption: `Särskilda dagar för ${genitive(code)} enheter` }));
    }

    async function renderHistory(shown, mine) {
      const list = await historyList([`/api/opening-hours/municipalities/${shown}/holiday-policy/history`],
        { id: 'hp-history', describe: entry => changedTreatments(entry.before?.policy ?? DEFAULT_POLICY, entry.after?.policy).join('; ') });
      if (mine !== loading) return;
      history.replaceChildren(h('h3', { id: 'hp-history-title' }, 'Ändringar'), list);
    }

    // Someone else saved the policy: reload at once when nothing is being edited, otherwise say so.
    const off = hub.on('OpeningHoursChanged', change => {
      if (change.kind !== 'holiday-policy' || change.municipalityCode !== code || change.version === stored?.version) return;
      if (!dirty) { load(); return; }
      notice.hidden = false;
      notice.replaceChildren(h('p', {}, `Reglerna har just ändrats av någon annan (version ${change.version}). `
        + 'Dina ändringar är inte sparade; ladda om för att se de nya reglerna.'),
      h('button', { type: 'button', onclick: () => load() }, 'Ladda om'));
    });
    const resync = () => { if (!dirty) load(); };
    window.addEventListener('resync', resync);
    await load();
    return { dispose() { off(); window.removeEventListener('resync', resync); } };
  },
};
