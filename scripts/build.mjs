// Compiles src/ to dist/ with swc (type checking is `npm run typecheck`, part of `npm test`).
import { readFileSync, mkdirSync, writeFileSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { transformFileSync } from '@swc/core';

const root = new URL('..', import.meta.url).pathname;
const srcDir = join(root, 'src');
const outDir = join(root, 'dist');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) yield path;
  }
}

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
