import { Link as RouterLink, useLocation, type DataRouter, type LinkProps } from 'react-router';

/**
 * The app's links and navigation, on React Router. Screens import these names rather than the
 * library's, so code outside components (a notification click) can navigate too.
 */
let active: DataRouter | null = null;

/** Called once by the route table with the router the page runs. */
export function bindRouter(router: DataRouter) {
  active = router;
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (to === location.pathname + location.search) return;
  if (active) void active.navigate(to, { replace: options.replace });
  else if (options.replace) location.replace(to);
  else location.assign(to);
}

/** The current path, re-rendering on navigation. */
export function usePath(): string {
  return useLocation().pathname;
}

/** Matches `/messages/:id`-style patterns; numbers only for `:id` parts. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      if (!/^\d+$/.test(s[i])) return null;
      params[p[i].slice(1)] = s[i];
    } else if (p[i] !== s[i]) return null;
  }
  return params;
}

export function Link(props: LinkProps & { to: string }) {
  return <RouterLink {...props} />;
}
