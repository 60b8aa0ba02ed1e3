import { api, ApiError } from '../api.js';
import { swedishMessage } from '../errors.js';
import { markFieldErrors, clearFieldErrors } from '../form.js';

const ROLE_NAMES = { operator: 'Telefonist', editor: 'Redaktör', manager: 'Chef', administrator: 'Administratör' };

// Administrators: the local accounts, a form to create one, unlocking and disabling.
export default {
  id: 'konton',
  title: 'Konton',
  roles: ['administrator'],
  async render(container) {
    container.innerHTML = `
      <h2>Konton</h2>
      <table class="list"><caption class="sr">Alla konton</caption>
        <thead><tr><th scope="col">Användarnamn</th><th scope="col">Namn</th><th scope="col">Roll</th>
        <th scope="col">Kommun</th><th scope="col">Status</th><th scope="col">Åtgärd</th></tr></thead>
        <tbody id="accounts"></tbody></table>
      <h3>Nytt konto</h3>
      <form id="new-account" class="grid" novalidate>
        <label for="na-username">Användarnamn</label><input id="na-username" name="username" required>
        <label for="na-name">Namn</label><input id="na-name" name="displayName" required>
        <label for="na-role">Roll</label>
        <select id="na-role" name="role">${Object.entries(ROLE_NAMES).map(([v, t]) => `<option value="${v}">${t}</option>`).join('')}</select>
        <label for="na-municipality">Kommunkod (redaktör)</label><input id="na-municipality" name="municipalityCode" inputmode="numeric">
        <label for="na-password">Lösenord (minst 12 tecken)</label><input id="na-password" name="password" type="password" required>
        <button type="submit">Skapa konto</button>
        <p class="error" id="na-error" role="alert"></p>
      </form>`;
    const tbody = container.querySelector('#accounts');
    const load = async () => {
      const accounts = await api('/api/accounts');
      tbody.replaceChildren(...accounts.map(account => row(account, load)));
    };
    container.querySelector('#new-account').addEventListener('submit', async event => {
      event.preventDefault();
      const form = new FormData(event.target);
      const error = container.querySelector('#na-error');
      error.textContent = '';
      clearFieldErrors(event.target);
      try {
        await api('/api/accounts', { method: 'POST', body: {
          username: form.get('username'), displayName: form.get('displayName'), role: form.get('role'),
          municipalityCode: form.get('municipalityCode') || null, password: form.get('password') } });
        event.target.reset();
        await load();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        error.textContent = swedishMessage(e);
        markFieldErrors(event.target, e, { username: 'na-username', displayName: 'na-name', role: 'na-role', municipalityCode: 'na-municipality', password: 'na-password' });
      }
    });
    await load();
    return {};
  },
};

function row(account, reload) {
  const tr = document.createElement('tr');
  const locked = account.lockedUntil && new Date(account.lockedUntil) > new Date();
  const status = account.disabled ? 'Avstängt' : locked ? 'Låst' : 'Aktivt';
  for (const text of [account.username, account.displayName, ROLE_NAMES[account.role] ?? account.role,
                      account.municipalityCode ?? '–', status]) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  const actions = document.createElement('td');
  const button = (label, path) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', async () => {
      try { await api(path, { method: 'POST' }); await reload(); } catch (e) { alert(swedishMessage(e)); }
    });
    actions.append(b);
  };
  if (locked) button('Lås upp', `/api/accounts/${account.id}/unlock`);
  if (account.disabled) button('Aktivera', `/api/accounts/${account.id}/enable`);
  else button('Stäng av', `/api/accounts/${account.id}/disable`);
  tr.append(actions);
  return tr;
}
