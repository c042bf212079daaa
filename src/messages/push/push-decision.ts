import type { NotificationLevel, Priority } from '../realtime/socket-events';

export type MessagePriority = Priority;

/**
 * Whether a conversation message pushes a notification to a member's devices. Their level
 * decides (`all`, only when `mentioned`, or `none`), except that an urgent message always reaches.
 * The level governs pushes only, never what the history shows.
 */
export function shouldPush(level: NotificationLevel, mentioned: boolean, priority: MessagePriority): boolean {
  if (priority === 'urgent') return true;
  if (level === 'all') return true;
  return level === 'mentions' && mentioned;
}
