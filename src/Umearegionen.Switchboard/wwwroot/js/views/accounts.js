import { api, ApiError } from '../api.js';
import { swedishMessage } from '../errors.js';
import { markFieldErrors, clearFieldErrors } from '../form.js';
import { h, loadMunicipalities } from '../dom.js';

const ROLE_NAMES = { operator: 'Telefonist', editor: 'Redaktör', manager: 'Chef', administrator: 'Administratör' };
const ENDS_SESSIONS = 'Personen loggas ut direkt, på alla skärmar, och måste logga in igen.';

// Administrators: the local accounts, a form to create one, and per account: change role (and municipality), set a
// password, disable or enable, unlock. A change that ends the person's sessions is confirmed in a dialog first.
export default {
  id: 'konton',
  title: 'Konton',
  roles: ['administrator'],
  async render(container, { user }) {
    container.innerHTML = `
      <h2 id="accounts-title" tabindex="-1">Konton</h2>
      <p class="message" id="accounts-status" role="status"></p>
      <table class="list"><caption class="sr">Alla konton</caption>
        <thead><tr><th scope="col">Användarnamn</th><th scope="col">Namn</th><th scope="col">Roll</th>
        <th scope="col">Kommun</th><th scope="col">Status</th><th scope="col">Åtgärder</th></tr></thead>
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
    const status = container.querySelector('#accounts-status');
    const municipalities = await loadMunicipalities().catch(() => []);
    const context = { container, user, municipalities, status, reload: null };
    context.reload = async (focus) => {
      const accounts = await api('/api/accounts');
      tbody.replaceChildren(...accounts.map(account => row(account, context)));
      const target = focus && container.querySelector(`[data-account="${focus.id}"][data-action="${focus.action}"]`);
      (target ?? (focus ? container.querySelector('#accounts-title') : null))?.focus();
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
        await context.reload();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        error.textContent = swedishMessage(e);
        markFieldErrors(event.target, e, { username: 'na-username', displayName: 'na-name', role: 'na-role', municipalityCode: 'na-municipality', password: 'na-password' });
      }
    });
    await context.reload();
    return { dispose: () => container.querySelector('dialog[open]')?.close() };
  },
};

function row(account, context) {
  const locked = account.lockedUntil && new Date(account.lockedUntil) > new Date();
  const state = account.disabled ? 'Avstängt' : locked ? 'Låst' : 'Aktivt';
  const who = account.username;
  const button = (action, label, onclick) => h('button.small', {
    type: 'button', 'aria-label': `${label} för ${who}`, dataset: { account: account.id, action }, onclick,
  }, label);
  const post = (action, path, done) => async () => {
    try {
      await api(path, { method: 'POST' });
      context.status.dataset.tone = 'ok';
      context.status.textContent = done;
      await context.reload({ id: account.id, action });
    } catch (e) {
      context.status.dataset.tone = 'bad';
      context.status.textContent = swedishMessage(e);
    }
  };
  const isMe = account.id === context.user.id;
  const actions = h('div.actions', {},
    button('role', 'Ändra roll', () => roleDialog(account, context)),
    button('password', 'Sätt lösenord', () => passwordDialog(account, context)),
    locked ? button('unlock', 'Lås upp', post('unlock', `/api/accounts/${account.id}/unlock`, `${who} är upplåst.`)) : null,
    account.disabled
      ? button('enable', 'Aktivera', post('enable', `/api/accounts/${account.id}/enable`, `${who} är aktiverat.`))
      : isMe ? null
        : button('disable', 'Stäng av', () => confirmDialog(context, {
          title: `Stänga av ${who}?`,
          text: `${account.displayName} kan inte logga in längre. ${ENDS_SESSIONS}`,
          confirm: 'Stäng av',
          run: () => api(`/api/accounts/${account.id}/disable`, { method: 'POST' }),
          done: `${who} är avstängt.`,
          focus: { id: account.id, action: 'enable' },
        })));
  return h('tr', {},
    h('td', {}, who), h('td', {}, account.displayName), h('td', {}, ROLE_NAMES[account.role] ?? account.role),
    h('td', {}, account.municipalityCode ?? '–'), h('td', {}, state), h('td', {}, actions));
}

function roleDialog(account, context) {
  const options = Object.entries(ROLE_NAMES).map(([value, text]) => h('option', { value, selected: value === account.role }, text));
  const municipalityOptions = [h('option', { value: '' }, 'Ingen kommun'),
    ...context.municipalities.map(m => h('option', { value: m.code, selected: m.code === account.municipalityCode }, `${m.name} (${m.code})`))];
  confirmDialog(context, {
    title: `Ändra roll för ${account.username}`,
    text: `Nuvarande roll: ${ROLE_NAMES[account.role] ?? account.role}. ${ENDS_SESSIONS}`,
    fields: [
      h('label', { for: 'rd-role' }, 'Roll'), h('select', { id: 'rd-role', name: 'role' }, options),
      h('label', { for: 'rd-municipality' }, 'Kommun (krävs för redaktör; avgör telefonistens team)'),
      h('select', { id: 'rd-municipality', name: 'municipalityCode' }, municipalityOptions),
    ],
    fieldIds: { role: 'rd-role', municipalityCode: 'rd-municipality' },
    confirm: 'Spara roll',
    run: form => api(`/api/accounts/${account.id}/role`, { method: 'PUT', body: {
      role: form.querySelector('#rd-role').value, municipalityCode: form.querySelector('#rd-municipality').value || null } }),
    done: `${account.username} har fått sin nya roll.`,
    focus: { id: account.id, action: 'role' },
  });
}

function passwordDialog(account, context) {
  confirmDialog(context, {
    title: `Sätt lösenord för ${account.username}`,
    text: `Ge personen det nya lösenordet på ett säkert sätt. ${ENDS_SESSIONS}`,
    fields: [
      h('label', { for: 'pd-password' }, 'Nytt lösenord (minst 12 tecken)'),
      h('input', { id: 'pd-password', name: 'password', type: 'password', autocomplete: 'new-password', required: true }),
    ],
    fieldIds: { password: 'pd-password' },
    confirm: 'Sätt lösenord',
    run: form => api(`/api/accounts/${account.id}/password`, { method: 'PUT', body: { password: form.querySelector('#pd-password').value } }),
    done: `${account.username} har fått ett nytt lösenord.`,
    focus: { id: account.id, action: 'password' },
  });
}

// A modal dialog (focus kept inside, Escape cancels) that asks before a change; shows the service's refusal in Swedish
// beside the field it concerns, and closes only when the change is made.
function confirmDialog(context, { title, text, fields = [], fieldIds = {}, confirm, run, done, focus }) {
  const error = h('p.error', { role: 'alert' });
  const form = h('form.grid', { novalidate: true }, ...fields,
    h('div.actions', {}, h('button', { type: 'submit' }, confirm), h('button', { type: 'button', onclick: () => dialog.close() }, 'Avbryt')),
    error);
  const dialog = h('dialog.help', { 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
    h('h3', { id: 'confirm-title' }, title), h('p', { id: 'confirm-text' }, text), form);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    clearFieldErrors(form);
    try {
      await run(form);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      error.textContent = swedishMessage(e);
      markFieldErrors(form, e, fieldIds);
      return;
    }
    dialog.close();
    context.status.dataset.tone = 'ok';
    context.status.textContent = done;
    await context.reload(focus);
  });
  dialog.addEventListener('close', () => dialog.remove());
  context.container.append(dialog);
  dialog.showModal();
  (form.querySelector('input, select') ?? form.querySelector('button[type="submit"]')).focus();
}
