import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's `fixtures/` folder. */
export const FIXTURES_DIR = join(import.meta.dirname, '..', '..', 'fixtures');

/** Every input file under `dir`, recursively: not the Markdown notes nor the golden expectations. */
export function fixtureInputFiles(dir: string = FIXTURES_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return fixtureInputFiles(full);
    return name.endsWith('.md') || name.endsWith('.expected.json') ? [] : [full];
  });
}
