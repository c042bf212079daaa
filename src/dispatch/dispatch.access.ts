import { MEMBER, needs, type AccessTable } from '../common/access';
import { DispatchPermission } from './dispatch.permissions';

const manage = needs(DispatchPermission.Manage);

/** Reading dispatches stays open to every member; changing them is the dispatcher's. */
export const DISPATCH_ACCESS = {
  'GET /dispatches': MEMBER,
  'GET /dispatches/:id': MEMBER,
  'POST /dispatches': manage,
  'POST /dispatches/:id/tasks': manage,
  'POST /dispatches/:id/tasks/:taskId/clear': { ...manage, orIf: "the task's officer" },
  'POST /dispatches/:id/close': manage,
} satisfies AccessTable;
