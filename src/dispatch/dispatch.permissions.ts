/** The permission the dispatch module defines: dispatchers hold it. */
export const DispatchPermission = {
  Manage: 'Dispatches_Manage',
} as const;
export type DispatchPermission = (typeof DispatchPermission)[keyof typeof DispatchPermission];
