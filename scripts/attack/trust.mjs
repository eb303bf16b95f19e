// Issue 13's nine findings, tried against a running server as an attacker would.
// Usage: start the server with its log in $TALKO_LOG (default /tmp/talko-attack-server.log), e.g.
//   dotnet run --project Talko.Server > /tmp/talko-attack-server.log 2>&1 &
//   node --experimental-websocket scripts/attack/trust.mjs
import { call, check, connectHub, finish, logSince, logSize, ok, signIn, sleep, waitFor, codeFor } from './lib.mjs';

const run = Date.now().toString(36);
const email = who => `${who}-${run}@example.com`;
const logStart = logSize();

const alice = await signIn(email('alice'), { address: '10.1.1.1' });
const bob = await signIn(email('bob'), { address: '10.1.1.2' });
const mallory = await signIn(email('mallory'), { address: '10.6.6.6' });

// Alice and Bob share a group, a conversation and a live call; Mallory has her own.
const group = await ok('POST', '/v1/groups', { token: alice.token, body: { name: 'Crew' } });
await ok('POST', `/v1/groups/${group.id}/members`, { token: alice.token, body: { userId: bob.userId } });
await ok('POST', `/v1/groups/${group.id}/members`, { token: alice.token, body: { userId: mallory.userId } });
const conv = await ok('POST', `/v1/groups/${group.id}/conversations`, { token: alice.token, body: { title: 'Shipping', memberIds: [bob.userId] } });
const call1 = await ok('POST', `/v1/conversations/${conv.id}/calls`, { token: alice.token });
const malloryGroup = await ok('POST', '/v1/groups', { token: mallory.token, body: { name: 'Lair' } });
const malloryConv = await ok('POST', `/v1/groups/${malloryGroup.id}/conversations`, { token: mallory.token, body: { title: 'Plans' } });
const malloryCall = await ok('POST', `/v1/conversations/${malloryConv.id}/calls`, { token: mallory.token });

// 1. Revoking someone else's device.
{
  const before = logSize();
  const r = await call('DELETE', `/v1/me/devices/${bob.deviceId}`, { token: mallory.token, address: '10.6.6.6' });
  check('1 deleting another user\'s device is refused', r.status === 404, `status ${r.status}`);
  check('1 the victim\'s access token still works', (await call('GET', '/v1/me', { token: bob.token })).status === 200);
  const refreshed = await call('POST', '/v1/auth/refresh', { body: { refreshToken: bob.refresh }, address: '10.1.1.2' });
  check('1 the victim can refresh', refreshed.status === 200, `status ${refreshed.status}`);
  if (refreshed.status === 200) { bob.token = refreshed.json.tokens.accessToken; bob.refresh = refreshed.json.tokens.refreshToken; }
  check('1 the new token works', (await call('GET', '/v1/me', { token: bob.token })).status === 200);
  check('1 the attempt is logged as a warning', /WRN[^\n]*(foreign|another user)/i.test(logSince(before)) || /ForeignDeviceRemovalRefused/.test(logSince(before)));
}

// 2. Every way a device loses access closes its hub connections within 2 s, and it hears nothing after.
async function closesOnLoss(label, revoke) {
  const user = await signIn(email(`carol-${label}`), { address: '10.1.2.3' });
  await ok('POST', `/v1/groups/${group.id}/members`, { token: alice.token, body: { userId: user.userId } });
  await ok('POST', `/v1/conversations/${conv.id}/members`, { token: alice.token, body: { userId: user.userId } });
  const hub = await connectHub(user.token);
  const revokedAt = Date.now();
  await revoke(user);
  const closed = await waitFor(() => hub.closedAt !== null, 2000);
  check(`2 ${label}: hub connection closed within 2 s`, closed, closed ? `${hub.closedAt - revokedAt} ms` : 'still open');
  const eventsBefore = hub.events.length;
  await ok('POST', `/v1/conversations/${conv.id}/items`, { token: alice.token, body: { idempotencyKey: `after-${label}-${run}`, text: `after ${label}` } });
  await sleep(500);
  check(`2 ${label}: no event after losing access`, hub.events.slice(eventsBefore).every(e => e.target !== 'itemCreated'));
  hub.close();
}
await closesOnLoss('logout', u => call('POST', '/v1/auth/logout', { token: u.token }));
await closesOnLoss('device-deletion', u => call('DELETE', `/v1/me/devices/${u.deviceId}`, { token: u.token }));
await closesOnLoss('refresh-reuse', async u => {
  const first = await call('POST', '/v1/auth/refresh', { body: { refreshToken: u.refresh }, address: '10.1.2.4' });
  u.token = first.json.tokens.accessToken;
  await call('POST', '/v1/auth/refresh', { body: { refreshToken: u.refresh }, address: '10.1.2.4' });
});
await closesOnLoss('account-deletion', u => call('DELETE', '/v1/me', { token: u.token }));

// 3. Writing into a call you are not in.
{
  const post = body => call('POST', `/v1/conversations/${conv.id}/items`, { token: alice.token, body: { idempotencyKey: crypto.randomUUID(), text: 'x', ...body } });
  for (const [label, body] of [
    ['another conversation\'s call', { callId: malloryCall.id, callOffsetMs: 1000 }],
    ['a call that exists nowhere', { callId: crypto.randomUUID(), callOffsetMs: 1000 }],
    ['Int64.MaxValue offset', { callId: call1.id, callOffsetMs: 9223372036854775807 }],
  ]) {
    const r = await post(body);
    check(`3 text into ${label} refused`, r.status >= 400 && r.status < 500, `status ${r.status}`);
  }
  const tag = await call('POST', `/v1/conversations/${conv.id}/tags`, { token: alice.token, body: { tag: 'x', callId: malloryCall.id, callOffsetMs: 1 } });
  check('3 tag on another conversation\'s call refused', tag.status >= 400 && tag.status < 500, `status ${tag.status}`);
  const bm = await call('POST', `/v1/conversations/${conv.id}/bookmarks`, { token: alice.token, body: { note: 'x', callId: malloryCall.id, callOffsetMs: 1 } });
  check('3 bookmark on another conversation\'s call refused', bm.status >= 400 && bm.status < 500, `status ${bm.status}`);
  const timeline = await call('GET', `/v1/calls/${malloryCall.id}/timeline`, { token: mallory.token });
  check('3 nothing of Alice\'s shows in Mallory\'s call timeline', timeline.status === 200 && !timeline.text.includes(alice.userId), `status ${timeline.status}`);
}

// 4. Locking someone out of sign-in; what the answers reveal.
{
  const victim = email('victim');
  const since = logSize();
  const answers = [];
  for (let i = 0; i < 8; i++) answers.push(await call('POST', '/v1/auth/start', { body: { identifier: victim }, address: `10.9.${i}.1` }));
  const fresh = await call('POST', '/v1/auth/start', { body: { identifier: email('never-asked') }, address: '10.9.99.1' });
  const shape = r => `${r.status} ${r.headers.get('retry-after') ?? '-'} ${r.text}`;
  check('4 answers to repeated requests look like a first request', answers.every(a => shape(a) === shape(fresh)), `${shape(answers.at(-1))} vs ${shape(fresh)}`);
  const own = await call('POST', '/v1/auth/start', { body: { identifier: victim }, address: '10.1.9.9' });
  check('4 the owner is not refused', own.status === 202, `status ${own.status}`);
  const code = await codeFor(victim, since);
  const verify = await call('POST', '/v1/auth/verify', { body: { identifier: victim, code, device: { platform: 'Web', name: 'Own' } }, address: '10.1.9.9' });
  check('4 the owner signs in with the code in their mailbox', verify.status === 200, `status ${verify.status}`);
}

// 5. Mutes on conversations you are not in.
{
  const until = new Date(Date.now() + 3600_000).toISOString();
  const foreign = await call('PUT', `/v1/notifications/mutes/${malloryConv.id}`, { token: alice.token, body: { until } });
  const madeUp = await call('PUT', `/v1/notifications/mutes/${crypto.randomUUID()}`, { token: alice.token, body: { until } });
  check('5 mute of a foreign conversation refused', foreign.status === 404, `status ${foreign.status}`);
  check('5 mute of a made-up conversation refused', madeUp.status === 404, `status ${madeUp.status}`);
}

// 6. Awareness spoofing.
{
  const hub = await connectHub(alice.token);
  const watcher = await connectHub(bob.token);
  for (const [label, callId] of [['made-up call', crypto.randomUUID()], ['foreign call', malloryCall.id], ['own conversation\'s call without a leg', call1.id]]) {
    const done = await hub.invoke('SetActivity', { kind: 'InCall', conversationId: conv.id, callId, muted: false, talking: true, positionMs: null });
    check(`6 "in a call, talking" for a ${label} refused`, typeof done.error === 'string', done.error ?? 'accepted');
  }
  const seen = await watcher.invoke('GetAwareness', conv.id);
  const aliceState = (seen.result ?? []).find(a => a.userId === alice.userId);
  check('6 other members do not see Alice talking', !JSON.stringify(aliceState ?? {}).includes('"talking":true'), JSON.stringify(aliceState?.activity ?? null));
  hub.close(); watcher.close();
}

// 7. Control characters and undefined enum values.
{
  for (const [label, value] of [['NUL', 'a\u0000b'], ['BEL', 'a\u0007b'], ['ESC', 'a\u001bb'], ['RLO', 'a\u202eb'], ['LRI', 'a\u2066b']]) {
    const g = await call('POST', '/v1/groups', { token: alice.token, body: { name: `Group ${value}` } });
    const c = await call('POST', `/v1/groups/${group.id}/conversations`, { token: alice.token, body: { title: `Title ${value}` } });
    check(`7 ${label} in a group name refused`, g.status === 400, `status ${g.status}`);
    check(`7 ${label} in a conversation title refused`, c.status === 400, `status ${c.status}`);
    if (label !== 'RLO' && label !== 'LRI') {
      const t = await call('POST', `/v1/conversations/${conv.id}/items`, { token: alice.token, body: { idempotencyKey: crypto.randomUUID(), text: `Text ${value}` } });
      check(`7 ${label} in a text refused`, t.status === 400, `status ${t.status}`);
    }
  }
  const role = await call('POST', `/v1/groups/${group.id}/members`, { token: alice.token, body: { userId: bob.userId, role: 42 } });
  check('7 group role 42 refused', role.status === 400, `status ${role.status}`);
}

// 8. Declared sizes believed.
{
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xff, 0xdc, 0xff, 0xdc, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0xff, 0xdc, 0, 0, 0xff, 0xdc, 8, 2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82])]);
  for (const [label, bytes, type] of [['JPEG', jpeg, 'image/jpeg'], ['PNG', png, 'image/png']]) {
    const r = await call('POST', `/v1/conversations/${conv.id}/photos`, { token: alice.token, raw: bytes, contentType: type, headers: { 'idempotency-key': crypto.randomUUID() } });
    const photo = r.json?.content ?? r.json?.photo ?? r.json ?? {};
    const stored = JSON.stringify(r.json ?? {});
    check(`8 ${label} declaring 65500x65500 not stored with those dimensions`, !(r.status < 300 && stored.includes('65500')), `status ${r.status}`);
  }
  const wav = Buffer.alloc(44 + 800);
  wav.write('RIFF', 0); wav.writeUInt32LE(36 + 800, 4); wav.write('WAVE', 8); wav.write('fmt ', 12); wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22); wav.writeUInt32LE(0, 24); wav.writeUInt32LE(0, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34);
  wav.write('data', 36); wav.writeUInt32LE(800, 40);
  const clip = await call('POST', `/v1/conversations/${conv.id}/voice-clips`, { token: alice.token, raw: wav, contentType: 'audio/wav', headers: { 'idempotency-key': crypto.randomUUID() } });
  check('8 WAV with sample rate 0 refused', clip.status === 400 || clip.status === 415 || clip.status === 422, `status ${clip.status}`);
}

// 9. Client mistakes are not logged as server errors.
{
  const before = logSize();
  for (let i = 0; i < 5; i++) {
    await call('POST', `/v1/conversations/${conv.id}/items`, { token: alice.token, raw: '{"text": ', contentType: 'application/json' });
    await call('GET', `/v1/conversations/${conv.id}/items?after=banana`, { token: alice.token });
    await call('GET', '/v1/notifications?limit=-4', { token: alice.token });
  }
  const hub = await connectHub(alice.token);
  await hub.invoke('SetActivity', { kind: 'InCall', conversationId: crypto.randomUUID(), callId: crypto.randomUUID(), muted: false, talking: true });
  await hub.invoke('NoSuchMethod', 1);
  hub.close();
  await sleep(500);
  const lines = logSince(before).split('\n');
  const errors = lines.filter(l => /\b(ERR|FTL)\b|\bfail:/.test(l));
  check('9 no error lines for client mistakes', errors.length === 0, errors.slice(0, 3).join(' | '));
  check('9 no stack traces for client mistakes', !/\n\s+at [A-Z][\w.]+/.test(logSince(before)));
}

const errorsOverall = logSince(logStart).split('\n').filter(l => /\b(ERR|FTL)\b/.test(l));
check('no error lines in the whole run', errorsOverall.length === 0, errorsOverall.slice(0, 3).join(' | '));
finish();
