#!/usr/bin/env node
// Entry point for the `secretwatch` command; the TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import { main } from '../dist/src/cli/main.js';

await main(process.argv.slice(2));
