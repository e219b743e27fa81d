// UI preview of the h5 build: serves miniapp/dist/h5 at /h5/ with a small in-memory STAND-IN for the
// patient API and the WeChat login simulator, so the pages can be clicked through without the real
// server. It is not the server and not a test double the suites rely on; e2e tests use the real server.
//
//   node miniapp/scripts/preview.mjs            # prints the URL; Ctrl-C to stop
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/h5')
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
}

const readJson = (req) =>
  new Promise((resolve) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {})
      } catch {
        resolve(undefined)
      }
    })
  })

const send = (res, status, data, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify(data))
}
const fail = (res, status, code, message) =>
  send(res, status, { error: { code, message, requestId: 'preview' } })

const listen = (server, port) =>
  new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server.address().port)))

/** Starts the stand-in WeChat simulator and the h5 server; resolves to their URLs and a close(). */
export async function startPreview({ port = 0 } = {}) {
  const codes = new Map() // login code → sim user key
  const patients = new Map() // sim user key → patient
  const tokens = new Map() // access token → sim user key
  let seq = 0

  const cors = { 'Access-Control-Allow-Origin': '*' }
  const sim = http.createServer(async (req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, Accept',
      })
      return res.end()
    }
    if (req.method === 'POST' && req.url === '/_sim/wx/login') {
      const body = await readJson(req)
      if (!body || typeof body.user !== 'string') return send(res, 400, { errmsg: 'user required' }, cors)
      const code = `code-${++seq}`
      codes.set(code, body.user)
      return send(res, 200, { code, openid: `openid-${body.user}` }, cors)
    }
    send(res, 404, { errmsg: 'not found' }, cors)
  })
  const simPort = await listen(sim, 0)

  const app = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    const me = () => {
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')
      return m && tokens.has(m[1]) ? patients.get(tokens.get(m[1])) : undefined
    }
    if (url.pathname === '/api/v1/client-config') {
      return send(res, 200, {
        mode: 'simulated',
        hospitalName: '预览医院',
        simulators: { wechat: `http://127.0.0.1:${simPort}` },
      })
    }
    if (url.pathname === '/api/v1/auth/wechat/login' && req.method === 'POST') {
      const { code } = (await readJson(req)) ?? {}
      const user = codes.get(code)
      if (!user) return fail(res, 400, 'AUTH_CODE_INVALID', 'invalid code')
      codes.delete(code)
      if (!patients.has(user)) {
        const name = user === 'demo' ? '张三' : null
        patients.set(user, {
          id: String(patients.size + 1).padStart(24, '0'),
          name,
          createdAt: new Date().toISOString(),
        })
      }
      const accessToken = `token-${++seq}`
      tokens.set(accessToken, user)
      return send(res, 200, {
        accessToken,
        refreshToken: `refresh-${seq}`,
        expiresIn: 7200,
        patient: patients.get(user),
      })
    }
    if (url.pathname === '/api/v1/me') {
      const patient = me()
      if (!patient) return fail(res, 401, 'AUTH_TOKEN_INVALID', 'invalid token')
      if (req.method === 'PATCH') {
        const body = await readJson(req)
        const name = typeof body?.name === 'string' ? body.name.trim() : ''
        if (name.length < 1 || name.length > 20)
          return fail(res, 400, 'VALIDATION_FAILED', 'name: 1..20 characters')
        patient.name = name
      }
      return send(res, 200, { patient })
    }
    if (url.pathname === '/' || url.pathname === '/h5') {
      res.writeHead(302, { Location: '/h5/' })
      return res.end()
    }
    if (url.pathname.startsWith('/h5/')) {
      const rel = url.pathname.slice('/h5/'.length) || 'index.html'
      const file = path.join(root, rel)
      if (file.startsWith(root) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
        return fs.createReadStream(file).pipe(res)
      }
    }
    fail(res, 404, 'NOT_FOUND', 'not found')
  })
  const appPort = await listen(app, port)

  return {
    url: `http://127.0.0.1:${appPort}/h5/`,
    close: () => Promise.all([new Promise((r) => app.close(r)), new Promise((r) => sim.close(r))]),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    console.error('No h5 build: run `npm run build:h5 -w @careloop/miniapp` first')
    process.exit(1)
  }
  const { url } = await startPreview({ port: Number(process.env.PORT ?? 0) })
  console.log(`CareLoop h5 preview (stand-in API): ${url}`)
}
