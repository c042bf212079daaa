// Compiles src/ to dist/ with swc (type checking is `npm run typecheck`, part of `npm test`),
// then builds the web app into web/dist/ with Vite. `--server-only` / `--web-only` build one half.
import { readFileSync, mkdirSync, writeFileSync, readdirSync, renameSync, statSync, rmSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { transformFileSync } from '@swc/core';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.find((a) => a === '--server-only' || a === '--web-only');

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) yield path;
  }
}

function buildServer() {
  const srcDir = join(root, 'src');
  const outDir = join(root, 'dist');
  const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
  rmSync(outDir, { recursive: true, force: true });
  let count = 0;
  for (const file of walk(srcDir)) {
    const target = join(outDir, relative(srcDir, file)).replace(/\.ts$/, '.js');
    const { code, map } = transformFileSync(file, { ...swcrc, swcrc: false, filename: file, sourceFileName: relative(dirname(target), file) });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map`);
    if (map) writeFileSync(`${target}.map`, map);
    count++;
  }
  console.log(`built ${count} files into dist/`);
}

async function buildWeb() {
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
}

if (only !== '--web-only') buildServer();
if (only !== '--server-only') await buildWeb();
