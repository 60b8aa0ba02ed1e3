import { api } from './api.js';
import { h, formatDateTime } from './dom.js';

const ACTIONS = { created: 'Skapad', updated: 'Ändrad', deleted: 'Borttagen', reviewed: 'Granskad', imported: 'Importerad' };

// The recorded changes of one entry, newest first, with the fields that changed.
// `describe(entry)` may say what changed in words; by default the names of the changed fields are listed.
export async function historyList(paths, { describe = changedFields, id } = {}) {
  const lists = await Promise.all(paths.map(path => api(path).catch(() => [])));
  const entries = lists.flat().sort((a, b) => new Date(b.occurredAt) - new Date(a.occurredAt));
  if (!entries.length) return h('p.muted', {}, 'Inga ändringar registrerade.');
  return h('ol.history', { id }, entries.map(entry => h('li', {},
    h('strong', {}, `${formatDateTime(entry.occurredAt)} ${ACTIONS[entry.action] ?? entry.action}`),
    ` av ${entry.actorName}`,
    describe(entry) ? h('span.muted', {}, ` – ${describe(entry)}`) : null)));
}

function changedFields(entry) {
  const before = entry.before ?? {}, after = entry.after ?? {};
  const ignore = new Set(['version', 'updatedAt', 'reviewedAt', 'createdAt', 'updatedBy']);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter(key => !ignore.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key])).join(', ');
}
