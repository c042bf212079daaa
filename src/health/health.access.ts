import { PUBLIC, type AccessTable } from '../common/access';

export const HEALTH_ACCESS = { 'GET /health': PUBLIC } satisfies AccessTable;
