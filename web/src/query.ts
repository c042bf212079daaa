import { QueryClient } from '@tanstack/react-query';

/**
 * Server state of the screens that read through TanStack Query. Live socket events invalidate
 * what they change, so nothing polls; it is cleared whenever the signed-in person changes.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 5_000 },
  },
});
