import { MAIL_SQL } from '../../src/messages/mail/mail.repository';
import { MAIL_WRITER_SQL } from '../../src/messages/mail/mail-writer';
import { UNREAD_STATE_SQL } from '../../src/messages/mail/unread/unread-state.repository';
import { RECIPIENTS_SQL } from '../../src/messages/recipients/recipients.repository';

/** Whitespace folded, so a snapshot changes with the SQL and not with its indentation. */
const folded = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/**
 * Every statement the mail repositories run, as text: a changed query shows up in review as a
 * changed snapshot, beside the code that changed it.
 */
describe.each([
  ['mail', MAIL_SQL],
  ['mail writer', MAIL_WRITER_SQL],
  ['unread state', UNREAD_STATE_SQL],
  ['recipients', RECIPIENTS_SQL],
])('%s repository SQL', (_area, statements) => {
  it.each(Object.entries(statements))('%s', (_name, sql) => {
    expect(folded(sql)).toMatchSnapshot();
  });
});
