import { Module } from '@nestjs/common';
import { MailExpiry } from './expiry/mail-expiry';
import { MailRepository } from './mail.repository';
import { MailWriter } from './mail-writer';
import { UnreadStateRepository } from './unread/unread-state.repository';
import { UnreadVersions } from './unread/unread-versions';

/**
 * Mail's storage, for every feature that writes or reads department mail: the repository, the
 * writer every send goes through, the per-user unread state with its cache, and the expiry job.
 */
@Module({
  providers: [
    MailRepository,
    MailWriter,
    MailExpiry,
    UnreadStateRepository,
    UnreadVersions,
  ],
  exports: [MailRepository, MailWriter, UnreadStateRepository, UnreadVersions],
})
export class MailStoreModule {}
