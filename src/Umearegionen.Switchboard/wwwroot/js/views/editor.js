import { api } from '../api.js';
import * as hub from '../hub.js';
import { h, formatDateTime, loadMunicipalities } from '../dom.js';
import { unitForm } from './editor-unit.js';
import { peopleEditor } from './editor-people.js';
import { hoursEditor } from '../hours-editor.js';
import { historyList } from '../history.js';
import { showUntilNextAction } from '../form.js';
import { formatPhone } from '../phone.js';

const LEVELS = { administration: 'Förvaltning', department: 'Avdelning', unit: 'Enhet' };

// Editors: their municipality's units; a chosen unit's details, opening hours, people and history.
export default {
  id: 'katalog',
  title: 'Katalog',
  roles: ['editor', 'administrator'],
  async render(container, { user }) {
    const municipalities = (await loadMunicipalities()).filter(m => m.servedBySwitchboard);
    let code = user.municipalityCode ?? municipalities[0].code;
    let units = [];
    let selected = null;
    let tab = 'details';
    const filter = h('input', { id: 'unit-filter', type: 'search', autocomplete: 'off' });
    const rows = h('tbody', { id: 'units' });
    const detail = h('section.panel.detail', { id: 'unit-detail', 'aria-live': 'polite' });
    // What the last save did ("Sparat."): kept through the redraw that follows it, gone at the next action.
    const status = h('p.ok', { id: 'unit-status', role: 'status' });
    const title = () => `Katalogen – ${municipalities.find(m => m.code === code)?.name ?? code}`;
    const heading = h('h2', {}, title());
    const picker = user.municipalityCode ? null : h('select', { id: 'editor-municipality', onchange: async e => {
      code = e.target.value; heading.textContent = title(); selected = null; await load(); await renderDetail(); } },
      municipalities.map(m => h('option', { value: m.code }, m.name)));

    container.append(h('div.editor', {},
      h('div.list-pane', {},
        heading,
        picker ? [h('label', { for: 'editor-municipality' }, 'Kommun '), picker] : null,
        h('div.search-row', {}, h('label', { for: 'unit-filter' }, 'Filtrera'), filter,
          h('button', { type: 'button', onclick: () => select(null) }, 'Ny enhet')),
        h('div.scroll', {}, h('table.list.compact', {}, h('caption.sr', {}, 'Enheter'),
          h('thead', {}, h('tr', {}, ['Namn', 'Nivå', 'Telefon', 'Granskad'].map(t => h('th', { scope: 'col' }, t)))), rows))),
      detail));

    function renderRows() {
      const q = filter.value.trim().toLowerCase();
      rows.replaceChildren(...units.filter(u => !q || u.name.toLowerCase().includes(q) || u.topics.some(t => t.includes(q)))
        .map(u => h('tr', { dataset: { selected: String(u.id === selected?.id) } },
          h('td', {}, h('button.link', { type: 'button', 'aria-current': u.id === selected?.id ? 'true' : null, onclick: () => select(u) }, u.name)),
          h('td', {}, LEVELS[u.level] ?? u.level), h('td', {}, u.phone ? formatPhone(u.phone) : '–'), h('td', {}, formatDateTime(u.reviewedAt)))));
    }
    async function load() {
      units = await api(`/api/directory/units?municipality=${code}`);
      units.sort((a, b) => a.name.localeCompare(b.name, 'sv'));
      if (selected) selected = units.find(u => u.id === selected.id) ?? null;
      renderRows();
    }
    async function select(unit, nextTab = 'details') {
      selected = unit;
      tab = unit ? nextTab : 'details';
      renderRows();
      await renderDetail();
    }
    let rendering = 0;
    async function renderDetail() {
      const mine = ++rendering;
      const onSaved = async (saved, message) => {
        await load();
        if (saved?.id && !selected) selected = units.find(u => u.id === saved.id) ?? null;
        await renderDetail();
        if (message) showUntilNextAction(status, message, container);
      };
      if (!selected) {
        detail.replaceChildren(h('h3', {}, 'Ny enhet'), unitForm(null, { code, units, onSaved }), status);
        return;
      }
      const tabs = [['details', 'Uppgifter'], ['hours', 'Öppettider'], ['people', 'Personer'], ['history', 'Historik']];
      const content = tab === 'details' ? unitForm(selected, { code, units, onSaved })
        : tab === 'hours' ? await hoursEditor(selected.id, { onSaved: () => renderDetail() })
          : tab === 'people' ? await peopleEditor(selected, { onChanged: () => renderDetail() })
            : await historyList([`/api/directory/units/${selected.id}/history`, `/api/opening-hours/units/${selected.id}/history`]);
      if (mine !== rendering) return; // a newer choice has been shown meanwhile
      detail.replaceChildren(h('h3', {}, selected.name),
        h('div.tabs', { role: 'group', 'aria-label': 'Visa' }, tabs.map(([id, text]) =>
          h('button.tab', { type: 'button', id: `tab-${id}`, 'aria-pressed': String(id === tab), onclick: () => select(selected, id) }, text))),
        content, status);
    }

    filter.addEventListener('input', renderRows);
    let reloadTimer = null;
    const reload = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(load, 300); };
    const off = hub.on('DirectoryChanged', change => { if (change.municipalityCode === code) reload(); });
    window.addEventListener('resync', reload);
    await load();
    if (!selected && !rendering) await renderDetail();
    return { dispose() { off(); window.removeEventListener('resync', reload); } };
  },
};
