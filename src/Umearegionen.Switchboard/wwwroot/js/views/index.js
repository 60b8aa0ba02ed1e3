import operator from './operator.js';
import accounts from './accounts.js';

// The views each role sees, in navigation order.
const ALL = [operator, accounts];

export function viewsFor(role) {
  return ALL.filter(view => view.roles.includes(role));
}
