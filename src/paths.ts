import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package's root folder (where package.json is), found from this module's location so that it
 * works from the TypeScript sources (tests) and from the compiled `dist/` alike.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('secretwatch: cannot find package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  root = dir;
  return root;
}
