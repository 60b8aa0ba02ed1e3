import operator from './operator.js';
import editor from './editor.js';
import answers from './answers.js';
import synonyms from './synonyms.js';
import { overdue, csvImport } from './review.js';
import notices from './notices.js';
import manager from './manager.js';
import accounts from './accounts.js';
import accessLog from './access-log.js';
import holidayPolicy from './holiday-policy.js';
import switchboardHours from './switchboard-hours.js';
import statistics from './statistics.js';
import callHistory from './call-history.js';
import registerExtract from './register-extract.js';

// The views each role sees, in navigation order (an administrator starts on the accounts).
const ALL = [accounts, accessLog, operator, manager, editor, answers, synonyms, holidayPolicy, overdue, csvImport, notices, statistics, switchboardHours, callHistory, registerExtract];

export function viewsFor(role) {
  return ALL.filter(view => view.roles.includes(role));
}
