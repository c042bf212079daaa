// Builds the web app into web/dist/ with Vite. The server is built by `nest build` (swc, see
// nest-cli.json); `npm run build` runs both.
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

const started = Date.now();
// A production build whatever NODE_ENV the caller runs under (jest sets "test", which would
// otherwise give React's development build).
process.env.NODE_ENV = 'production';
const { build } = await import('vite');
// Built beside and moved into place, so a server starting meanwhile never sees half a build.
const staging = join(root, 'web', `.dist-${process.pid}`);
const target = join(root, 'web', 'dist');
await build({ configFile: join(root, 'web', 'vite.config.mjs'), mode: 'production', logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
rmSync(target, { recursive: true, force: true });
renameSync(staging, target);
console.log(`built the web app into web/dist/ in ${Date.now() - started} ms`);
