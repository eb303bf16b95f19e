// The black-box client of scripts/redis-outage.sh: signs Alice and Bob up (codes read from the instances' logs, as a
// developer would), puts them in one conversation, then Alice posts a text every 100 ms through the two instances in
// turn (a 503 or no answer is retried with the same idempotency key) while Bob listens on instance two's hub and
// follows docs/realtime.md (sync when ready, on `resync` and after a reconnect). Prints what each saw.
//
//   node scripts/redis-outage-client.mjs URL1 URL2 LOG1 LOG2 SECONDS MARKER_FILE
// While it runs, the script around it stops Redis; MARKER_FILE gets a line when traffic runs and at the end.
import { readFileSync, appendFileSync } from 'node:fs';
import * as signalR from '@microsoft/signalr';

const [one, two, logOne, logTwo, seconds, marker] = process.argv.slice(2);
const urls = [one, two];
const started = Date.now();
const at = () => ((Date.now() - started) / 1000).toFixed(1);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function call(base, method, path, token, body) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(20000),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), json: text ? JSON.parse(text) : null };
}

async function signUp(email) {
  await call(one, 'POST', '/v1/auth/start', null, { identifier: email });
  let code;
  for (let i = 0; i < 50 && !code; i++) {
    const codes = readFileSync(logOne, 'utf8').split('\n').filter(l => l.includes('"Code"')).map(l => JSON.parse(l))
      .filter(e => e.IdentifierHint?.startsWith(email[0]));
    code = codes.at(-1)?.Code;
    if (!code) await sleep(100);
  }
  const verified = await call(one, 'POST', '/v1/auth/verify', null, { identifier: email, code, device: { platform: 'Web', name: 'black box' } });
  if (verified.status !== 200) throw new Error(`verify ${email}: ${verified.status} ${JSON.stringify(verified.json)}`);
  return verified.json;
}

const tag = Math.random().toString(36).slice(2, 8);
const alice = await signUp(`al-${tag}@example.com`);
const bob = await signUp(`bo-${tag}@example.com`);
const group = (await call(one, 'POST', '/v1/groups', alice.tokens.accessToken, { name: 'Black box' })).json;
await call(one, 'POST', `/v1/groups/${group.id}/members`, alice.tokens.accessToken, { userId: bob.userId });
const conversation = (await call(one, 'POST', `/v1/groups/${group.id}/conversations`, alice.tokens.accessToken, { title: 'Redis outage' })).json;

// Bob's realtime client on instance two.
const heard = new Map();
let token = null, resyncs = [], syncing = Promise.resolve();
const apply = item => { if (item.conversationId === conversation.id && item.kind === 'Text') heard.set(item.seq, item.text); };
const sync = () => (syncing = syncing.then(async () => {
  for (let more = true; more;) {
    const page = await call(two, 'GET', `/v1/sync${token ? `?since=${encodeURIComponent(token)}` : ''}`, bob.tokens.accessToken).catch(() => null);
    if (!page || page.status !== 200) { await sleep(500); continue; }
    page.json.items.forEach(apply);
    token = page.json.token;
    more = page.json.hasMore;
  }
}));
const hub = new signalR.HubConnectionBuilder()
  .withUrl(`${two}/hubs/talko`, { accessTokenFactory: () => bob.tokens.accessToken, transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
  .withAutomaticReconnect()
  .configureLogging(signalR.LogLevel.None)
  .build();
const ready = new Promise(resolve => hub.on('ready', resolve));
hub.on('itemCreated', apply);
hub.on('resync', r => { resyncs.push(`${new Date().toISOString()} (${r.reason})`); sync(); });
hub.onreconnected(() => sync());
await hub.start();
await ready;
await sync();

// Alice posts every 100 ms through both instances.
const statuses = {}, acknowledged = new Set(), lastAck = [], ackedAt = new Map();
let pending = null, n = 0;
appendFileSync(marker, `traffic ${at()}\n`);
const deadline = Date.now() + Number(seconds) * 1000;
for (let turn = 0; Date.now() < deadline; turn++) {
  pending ??= { text: `message ${n++}`, key: `${tag}-${n}` };
  const base = urls[turn % 2];
  const answer = await call(base, 'POST', `/v1/conversations/${conversation.id}/items`, alice.tokens.accessToken, { idempotencyKey: pending.key, text: pending.text })
    .catch(() => ({ status: 'no answer' }));
  const read = await call(base, 'GET', `/v1/conversations/${conversation.id}/items?limit=5`, bob.tokens.accessToken).catch(() => ({ status: 'no answer' }));
  const key = s => `${s.status}${s.status === 503 ? (s.retryAfter ? ' + Retry-After' : ' without Retry-After') : ''}`;
  statuses[`post ${key(answer)}`] = (statuses[`post ${key(answer)}`] ?? 0) + 1;
  statuses[`read ${key(read)}`] = (statuses[`read ${key(read)}`] ?? 0) + 1;
  if (answer.status === 201 || answer.status === 200) { acknowledged.add(pending.text); ackedAt.set(pending.text, `${new Date().toISOString()} via ${base.slice(-4)} seq ${answer.json.seq}`); lastAck.push(Date.now()); pending = null; }
  await sleep(100);
}
appendFileSync(marker, `done ${at()}\n`);

// The listener is never told to sync by this script: wait for the protocol to bring everything.
for (let i = 0; i < 300 && [...acknowledged].some(t => ![...heard.values()].includes(t)); i++) await sleep(100);
const missing = [...acknowledged].filter(t => ![...heard.values()].includes(t));
const gaps = lastAck.slice(1).map((t, i) => t - lastAck[i]);
console.log(JSON.stringify({
  requests: statuses,
  acknowledged: acknowledged.size,
  listenerHas: [...heard.values()].filter(t => acknowledged.has(t)).length,
  listenerMissing: missing.length,
  missing: missing.slice(0, 20).map(t => `${t} acknowledged ${ackedAt.get(t)}`),
  resyncs,
  longestWithoutAcknowledgedPostSeconds: Math.max(...gaps) / 1000,
}, null, 2));
await hub.stop();
