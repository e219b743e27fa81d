#!/usr/bin/env node
// `npm run bench`: builds what is missing, then runs every benchmark in tests/bench (each prints
// ratios measured within its own run).
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureInstalled, repoRoot, run, step } from './lib.mjs'

ensureInstalled()
for (const f of readdirSync(join(repoRoot, 'tests/bench'))
  .filter((n) => n.endsWith('.bench.ts'))
  .sort()) {
  step(`bench: ${f}`)
  run('npx', ['tsx', join('tests/bench', f)])
}
