import { Query } from '@nestjs/cqrs';
import type { Actor } from '../../conversations/conversation.store';
import { htmlToTextSql } from '../../html-to-text';
import type { SearchPage } from '../search-views';

/** Department mail and conversation messages matching `q` that the caller may read, best match first. */
export class SearchMessages extends Query<SearchPage> {
  constructor(
    readonly caller: Actor,
    readonly q: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
