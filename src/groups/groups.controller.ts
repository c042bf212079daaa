import { memberSetController } from '../member-sets/member-set.controller';

/** `POST /api/groups`, `GET /api/groups`, `PUT /api/groups/:id/members`. */
export class GroupsController extends memberSetController('group', 'groups') {}
