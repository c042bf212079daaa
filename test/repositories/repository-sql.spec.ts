import { Client } from 'pg';
import { ATTACHMENT_SQL } from '../../src/messages/attachments/attachment.repository';
import { CONVERSATION_SQL } from '../../src/messages/conversations/conversation.store';
import { MASS_TEXT_SQL } from '../../src/messages/conversations/mass-texts/mass-text.repository';
import { DISPATCH_RECORD_SQL } from '../../src/messages/dispatch-conversations/dispatch-records';
import { PUSH_SQL } from '../../src/messages/push/push.repository';
import { SEARCH_SQL } from '../../src/messages/search/search.repository';
import { URGENT_SQL } from '../../src/messages/urgent/urgent.repository';
import type { TestServer } from '../support/test-server';
import { useServerAndDatabase } from '../mail/mail-support';

/**
 * Each repository's statements, as text: a changed query shows up in review as a changed
 * snapshot. Each is also prepared against the migrated schema, so a statement that names a
 * column that is not there, or whose parameters cannot be typed, fails here and not in a route.
 */
const REPOSITORIES: Record<string, Record<string, string>> = {
  conversations: CONVERSATION_SQL,
  'mass texts': MASS_TEXT_SQL,
  push: PUSH_SQL,
  'dispatch records': DISPATCH_RECORD_SQL,
  urgent: URGENT_SQL,
  search: SEARCH_SQL,
  attachments: ATTACHMENT_SQL,
};

/** Each line as written, without the indentation of the source around it. */
const tidy = (sql: string) =>
  sql
    .trim()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');

describe('repository SQL', () => {
  let server: TestServer;
  let db: Client;
  useServerAndDatabase((s, d) => ((server = s), (db = d)));

  for (const [repository, statements] of Object.entries(REPOSITORIES)) {
    describe(repository, () => {
      it('keeps the text of every statement', () => {
        expect(Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, tidy(sql)]))).toMatchSnapshot();
      });

      it.each(Object.keys(statements))('prepares %s against the schema', async (name) => {
        const statement = `check_${name.replace(/\W/g, '_').toLowerCase()}`;
        await db.query(`prepare ${statement} as ${statements[name]}`);
        await db.query(`deallocate ${statement}`);
      });
    });
  }
});
