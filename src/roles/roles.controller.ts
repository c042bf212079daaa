import { memberSetController } from '../member-sets/member-set.controller';

/** `POST /api/roles`, `GET /api/roles`, `PUT /api/roles/:id/members`. */
export class RolesController extends memberSetController('role', 'roles') {}
