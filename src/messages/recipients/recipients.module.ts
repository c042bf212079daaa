import { Module } from '@nestjs/common';
import { RecipientResolver } from './recipient-resolver';

/** Who receives what: send modes and shift exclusion over the department directory. */
@Module({ providers: [RecipientResolver], exports: [RecipientResolver] })
export class RecipientsModule {}
