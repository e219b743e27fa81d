// Builds the staff console (React) into server/console/dist, served by the server at /console.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'dist')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [join(here, 'src/main.tsx')],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['chrome100', 'safari15'],
  format: 'esm',
  jsx: 'automatic',
  outfile: join(out, 'app.js'),
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
})
copyFileSync(join(here, 'src/index.html'), join(out, 'index.html'))
// esbuild emits app.css beside app.js for the imported stylesheet
console.log(`console built into ${out}`)
