import { memberSetController } from '../member-sets/member-set.controller';

/** `POST /api/zones`, `GET /api/zones`, `PUT /api/zones/:id/members`. */
export class ZonesController extends memberSetController('zone', 'zones') {}
