import { RecipientsRepository } from './recipients.repository';
import { Module } from '@nestjs/common';
import { RecipientResolver } from './recipient-resolver';

/** Who receives what: send modes and shift exclusion over the department directory, and the recipient rows of a sent message. */
@Module({ providers: [RecipientResolver, RecipientsRepository], exports: [RecipientResolver, RecipientsRepository] })
export class RecipientsModule {}
