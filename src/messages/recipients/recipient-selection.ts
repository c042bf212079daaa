/** How a sender names the recipients of a department message. */
export type SendMode = 'all' | 'match' | 'specific';
export const SEND_MODES: readonly SendMode[] = ['all', 'match', 'specific'];

export interface RecipientSelection {
  sendMode: SendMode;
  userIds: readonly number[];
  groupIds: readonly number[];
  roleIds: readonly number[];
  excludeShiftIds: readonly number[];
}
