// Black-box client for trying Talko as a user or an attacker would: REST with fetch, the hub over a raw
// WebSocket (SignalR JSON protocol), sign-in codes read from the server's log (embedded mode writes them
// there). Node 20: run with --experimental-websocket.
import { readFileSync, statSync } from 'node:fs';

export const base = process.env.TALKO_URL ?? 'http://localhost:5080';
export const logFile = process.env.TALKO_LOG ?? '/tmp/talko-attack-server.log';

let failures = 0;
export function check(name, ok, detail = '') {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
}
export function finish() {
  console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));
export const logSize = () => statSync(logFile).size;
export const logSince = offset => readFileSync(logFile, 'utf8').slice(offset);

/** A request from `address` (the server trusts X-Forwarded-For from loopback, as behind the ALB). */
export async function call(method, path, { token, body, raw, contentType, address, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (address) h['x-forwarded-for'] = address;
  let payload;
  if (raw !== undefined) { payload = raw; h['content-type'] = contentType ?? 'application/octet-stream'; }
  else if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] = 'application/json'; }
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json; try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

function maskOf(email) {
  const [local, domain] = email.split('@');
  return `${local[0]}***@${domain}`;
}

/** The newest code the server logged for `email` after log offset `since`. */
export async function codeFor(email, since) {
  const pattern = new RegExp(`One-time code for ${maskOf(email).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (\\d+)`, 'g');
  for (let i = 0; i < 50; i++) {
    const found = [...logSince(since).matchAll(pattern)];
    if (found.length) return found.at(-1)[1];
    await sleep(100);
  }
  throw new Error(`no code logged for ${email}`);
}

export async function signIn(email, { address = '10.1.0.1', name = 'Phone' } = {}) {
  const since = logSize();
  const start = await call('POST', '/v1/auth/start', { body: { identifier: email }, address });
  if (start.status !== 202) throw new Error(`start ${email}: ${start.status} ${start.text}`);
  const code = await codeFor(email, since);
  const verify = await call('POST', '/v1/auth/verify', { body: { identifier: email, code, device: { platform: 'Web', name } }, address });
  if (verify.status !== 200) throw new Error(`verify ${email}: ${verify.status} ${verify.text}`);
  const v = verify.json;
  return { email, userId: v.userId, deviceId: v.deviceId, token: v.tokens.accessToken, refresh: v.tokens.refreshToken, sip: v.sip };
}

export async function ok(method, path, options) {
  const r = await call(method, path, options);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

/** A hub connection: collects events, answers pings, reports when the server closes it. */
export async function connectHub(token) {
  const url = base.replace(/^http/, 'ws') + `/hubs/talko?access_token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const hub = { events: [], closedAt: null, closeInfo: null, completions: new Map(), nextId: 1 };
  let buffer = '';
  const ready = new Promise((resolve, reject) => {
    ws.onerror = e => reject(new Error('hub socket error'));
    ws.onopen = () => ws.send(JSON.stringify({ protocol: 'json', version: 1 }) + '\x1e');
    ws.onmessage = m => {
      buffer += typeof m.data === 'string' ? m.data : Buffer.from(m.data).toString();
      let cut;
      while ((cut = buffer.indexOf('\x1e')) >= 0) {
        const frame = buffer.slice(0, cut); buffer = buffer.slice(cut + 1);
        const msg = JSON.parse(frame);
        if (msg.type === 1) { hub.events.push({ at: Date.now(), target: msg.target, args: msg.arguments }); if (msg.target === 'ready') resolve(); }
        else if (msg.type === 3) hub.completions.get(msg.invocationId)?.(msg);
        else if (msg.type === 6) ws.send(JSON.stringify({ type: 6 }) + '\x1e');
        else if (msg.type === 7) hub.closeInfo = msg;
      }
    };
    ws.onclose = e => { hub.closedAt = Date.now(); hub.closeInfo ??= { code: e.code }; resolve(); };
  });
  hub.invoke = (target, ...args) => new Promise(resolve => {
    const invocationId = String(hub.nextId++);
    hub.completions.set(invocationId, resolve);
    ws.send(JSON.stringify({ type: 1, invocationId, target, arguments: args }) + '\x1e');
  });
  hub.close = () => ws.close();
  hub.named = target => hub.events.filter(e => e.target === target);
  await ready;
  return hub;
}

/** Waits until `predicate` holds or `ms` pass; returns whether it held. */
export async function waitFor(predicate, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await predicate()) return true; await sleep(50); }
  return await predicate();
}
