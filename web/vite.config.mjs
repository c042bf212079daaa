import { defineConfig } from 'vite';

// No React plugin: Vite's own transform handles TSX with the automatic JSX runtime, which is
// all a production build needs.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    minify: process.env.WEB_MINIFY !== 'off',
    rollupOptions: {
      // React Router and TanStack Query mark their modules "use client" for server rendering,
      // which this app does not do.
      onLog(level, log, handler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') handler(level, log);
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'http://localhost:3000', ws: true } } },
});
