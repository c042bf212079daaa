import { memberSetController } from '../member-sets/member-set.controller';

/** `POST /api/shifts`, `GET /api/shifts`, `PUT /api/shifts/:id/members`. */
export class ShiftsController extends memberSetController('shift', 'shifts') {}
