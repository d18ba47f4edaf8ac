import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { generateDemo } from './demo.js';

/**
 * Regenerates fixtures/demo/ from bench/gen/demo.ts: `npm run build && node dist/bench/gen/write-demo.js`.
 * The provider folders are emptied first so that a file the generator no longer makes does not
 * linger; README.md is hand-written and left alone.
 */
const root = join(packageRoot(), 'fixtures', 'demo');
for (const provider of ['aws', 'gcp', 'azure']) rmSync(join(root, provider), { recursive: true, force: true });
let bytes = 0;
const files = generateDemo();
for (const file of files) {
  const path = join(root, file.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file.bytes);
  bytes += file.bytes.length;
}
const folders = readdirSync(root).filter((f) => !f.includes('.')).join(', ');
process.stdout.write(`wrote ${files.length} files (${(bytes / 1024).toFixed(0)} KiB) under ${root} (${folders})\n`);
