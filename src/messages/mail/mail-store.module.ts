import { Module } from '@nestjs/common';
import { MailExpiry } from './expiry/mail-expiry';
import { MailRepository } from './mail.repository';
import { MailWriter } from './mail-writer';
import { UnreadClearing } from './unread/unread-clearing';
import { UnreadStateRepository } from './unread/unread-state.repository';
import { UnreadVersions } from './unread/unread-versions';

/**
 * Mail's storage, for every feature that writes or reads department mail: the repository, the
 * writer every send goes through, the per-user unread state with its cache and the clearing of
 * a member's unread copies, and the expiry job.
 */
@Module({
  providers: [
    MailRepository,
    MailWriter,
    MailExpiry,
    UnreadStateRepository,
    UnreadVersions,
    UnreadClearing,
  ],
  exports: [MailRepository, MailWriter, UnreadStateRepository, UnreadVersions, UnreadClearing],
})
export class MailStoreModule {}
