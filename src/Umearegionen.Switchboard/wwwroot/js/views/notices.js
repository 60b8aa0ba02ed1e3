import { api } from '../api.js';
import * as hub from '../hub.js';
import { h, formatDateTime, loadMunicipalities, municipalityNames, municipalityName } from '../dom.js';
import { problemText, localDateTimeValue, markFieldErrors, clearFieldErrors, showUntilNextAction } from '../form.js';

// Disruption notices: publish one for a municipality (and topics), see those in force, end one early.
export default {
  id: 'driftstorningar',
  title: 'Driftstörningar',
  roles: ['editor', 'manager', 'administrator'],
  async render(container, { user }) {
    await municipalityNames();
    const municipalities = (await loadMunicipalities()).filter(m => m.servedBySwitchboard && (!user.municipalityCode || user.role !== 'editor' || m.code === user.municipalityCode));
    const list = h('ul.notices', { id: 'notice-list' });
    const error = h('p.error', { role: 'alert' });
    const form = h('form.grid', { id: 'notice-form', novalidate: true },
      h('label', { for: 'n-municipality' }, 'Kommun'),
      h('select', { id: 'n-municipality' }, municipalities.map(m => h('option', { value: m.code }, m.name))),
      h('label', { for: 'n-topics' }, 'Ämnen (kommaseparerade, tomt = alla)'), h('input', { id: 'n-topics', autocomplete: 'off' }),
      h('label', { for: 'n-text' }, 'Text till telefonisterna'), h('textarea', { id: 'n-text', rows: 3 }),
      h('label', { for: 'n-expires' }, 'Gäller till'),
      h('input', { id: 'n-expires', type: 'datetime-local', value: localDateTimeValue(Date.now() + 4 * 3600000) }),
      h('button.primary', { type: 'submit' }, 'Publicera'), error);
    container.append(h('h2', {}, 'Driftstörningar'), h('h3', {}, 'Gäller nu'), list, h('h3', {}, 'Ny driftstörning'), form);

    const show = notices => list.replaceChildren(...(notices.length ? notices.map(n => h('li.notice', {},
      h('strong', {}, municipalityName(n.municipalityCode)), n.topics.length ? ` · ${n.topics.join(', ')}` : ' · alla ämnen',
      h('p', {}, n.text),
      h('span.muted', {}, `Publicerad ${formatDateTime(n.publishedAt)} av ${n.publishedBy}, gäller till ${formatDateTime(n.expiresAt)} `),
      h('button.small', { type: 'button', 'aria-label': `Avsluta driftstörningen: ${n.text}`, onclick: async () => {
        try { await api(`/api/notices/${n.id}`, { method: 'DELETE' }); await load(); } catch (e) { showUntilNextAction(error, problemText(e), container); }
      } }, 'Avsluta'))) : [h('li.muted', {}, 'Inga driftstörningar just nu.')]));
    const load = async () => show(await api('/api/notices'));

    form.addEventListener('submit', async event => {
      event.preventDefault();
      error.textContent = '';
      clearFieldErrors(form);
      const expires = form.querySelector('#n-expires').value;
      try {
        await api('/api/notices', { method: 'POST', body: {
          municipalityCode: form.querySelector('#n-municipality').value,
          topics: form.querySelector('#n-topics').value.split(',').map(t => t.trim()).filter(Boolean),
          text: form.querySelector('#n-text').value.trim(),
          expiresAt: expires ? new Date(expires).toISOString() : null } });
        form.querySelector('#n-text').value = '';
        await load();
      } catch (e) {
        showUntilNextAction(error, problemText(e), container);
        markFieldErrors(form, e, { municipalityCode: 'n-municipality', topics: 'n-topics', text: 'n-text', expiresAt: 'n-expires' });
      }
    });
    const off = hub.on('NoticesChanged', show);
    window.addEventListener('resync', load);
    await load();
    return { dispose() { off(); window.removeEventListener('resync', load); } };
  },
};
