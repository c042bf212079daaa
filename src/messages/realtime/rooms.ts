/** Rooms are chosen by the server only; no client event joins one. */
export const userRoom = (userId: number) => `user:${userId}`;

export const userRooms = (userIds: readonly number[]) => userIds.map(userRoom);

/** The user id of a `user:<id>` room, or null. */
export const userOfRoom = (room: string): number | null => {
  const match = /^user:(\d+)$/.exec(room);
  return match ? Number(match[1]) : null;
};
