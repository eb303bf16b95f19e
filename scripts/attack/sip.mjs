// Issue 14's six findings, tried against a running server as a stranger on the network would.
// Usage (the server's SIP on 127.0.0.1:5060, its log in $TALKO_LOG):
//   ulimit -n 8192; node --experimental-websocket scripts/attack/sip.mjs
// Strangers use other loopback addresses (127.0.0.2, 127.0.0.3), as other hosts would.
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check, finish, logSince, logSize, ok, signIn, sleep } from './lib.mjs';
import { RtpEndpoint, SipUa, parse } from './sip-ua.mjs';

const sipHost = '127.0.0.1', sipPort = Number(process.env.TALKO_SIP_PORT ?? 5060);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = Date.now().toString(36);
const email = who => `${who}-${run}@example.com`;
const logStart = logSize();

const alice = await signIn(email('alice'), { address: '10.2.1.1' });
const bob = await signIn(email('bob'), { address: '10.2.1.2' });
const group = await ok('POST', '/v1/groups', { token: alice.token, body: { name: 'Crew' } });
await ok('POST', `/v1/groups/${group.id}/members`, { token: alice.token, body: { userId: bob.userId } });
const conv = await ok('POST', `/v1/groups/${group.id}/conversations`, { token: alice.token, body: { title: 'Calls', memberIds: [bob.userId] } });
const liveCall = await ok('POST', `/v1/conversations/${conv.id}/calls`, { token: alice.token });

async function joinLeg(user) {
  const join = await ok('POST', `/v1/calls/${liveCall.id}/join`, { token: user.token });
  const ua = await new SipUa({ server: sipHost, port: sipPort, username: join.sipUsername, secret: user.sip.secret, realm: join.sipRealm }).open();
  const media = await (await new RtpEndpoint().open()).openRtcp();
  const serverPort = await ua.invite(join.sipUri, media.port);
  return { ua, media, serverPort };
}

// 1. Media hijack through RTP source latching.
{
  const a = await joinLeg(alice);
  const b = await joinLeg(bob);
  check('1 RTP ports are not handed out in sequence', Math.abs(a.serverPort - b.serverPort) > 2, `${a.serverPort}, ${b.serverPort}`);

  const stranger = await (await new RtpEndpoint('127.0.0.2').open()).openRtcp();
  await stranger.talk(sipHost, a.serverPort, 100);          // before Alice's phone has sent anything
  await sleep(300);
  check('1 a stranger sending before the leg speaks receives no mix', stranger.received === 0, `${stranger.received} packets`);
  const aliceHeard = a.media.received;
  check('1 the leg still gets its mix at its SDP address', aliceHeard > 0, `${aliceHeard} packets`);

  const ssrc = 0x0a11ce00;
  await a.media.talk(sipHost, a.serverPort, 50, { ssrc, sequence: 100 });
  await sleep(3500);                                         // silent 3.5 s: muted, on hold, VAD
  await stranger.talk(sipHost, a.serverPort, 100);
  await sleep(300);
  check('1 a stranger sending after 3 s of silence receives no mix', stranger.received === 0, `${stranger.received} packets`);

  for (let i = 0; i < 5; i++) stranger.sendRtcp(sipHost, a.serverPort + 1);
  const rtcpBefore = a.media.rtcpReceived;
  await sleep(7000);                                         // RTCP reports go out every few seconds
  check('1 a stranger\'s RTCP does not redirect the leg\'s reports', stranger.rtcpReceived === 0, `${stranger.rtcpReceived} reports to the stranger, ${a.media.rtcpReceived - rtcpBefore} to the leg`);

  // The phone moves to a new NAT binding: same SSRC, next sequence numbers, from a new port.
  const moved = await new RtpEndpoint().open();
  await moved.talk(sipHost, a.serverPort, 100, { ssrc, sequence: 150 });
  await sleep(300);
  check('1 a phone that moves to a new NAT binding keeps its audio', moved.received > 0, `${moved.received} packets at the new binding`);

  for (const leg of [a, b]) { await leg.ua.bye(); leg.ua.close(); leg.media.close(); }
  stranger.close(); moved.close();
}

// 2. TCP exhaustion from one host, and a trickling connection.
{
  const before = logSize();
  const idle = [];
  const opened = await Promise.all(Array.from({ length: 1100 }, () => new Promise(resolve => {
    const s = net.connect({ host: sipHost, port: sipPort, localAddress: '127.0.0.2' });
    s.on('connect', () => resolve(true)); s.on('error', () => resolve(false)); s.on('close', () => resolve(false));
    idle.push(s);
  })));
  await sleep(1000);
  const stillOpen = idle.filter(s => !s.destroyed && s.readyState === 'open').length;
  const options = await tcpRequest(optionsMessage('127.0.0.1', 'tcp'), '127.0.0.1');
  check('2 1,100 idle connections from 127.0.0.2 do not stop OPTIONS over TCP from 127.0.0.1', options?.status === 200, `${options?.status ?? 'no answer'}; ${opened.filter(Boolean).length} connected, ${stillOpen} kept open`);
  idle.forEach(s => s.destroy());
  await sleep(500);
  const refusalLines = logSince(before).split('\n').filter(l => /WRN/.test(l) && /TCP|connection/i.test(l)).length;
  check('2 refusals are summarised, not logged one by one', refusalLines <= 3, `${refusalLines} warning lines`);

  const trickle = net.connect({ host: sipHost, port: sipPort, localAddress: '127.0.0.3' });
  let closedAfter = null;
  const openedAt = Date.now();
  trickle.on('close', () => { closedAfter = Date.now() - openedAt; });
  trickle.on('error', () => {});
  const header = 'OPTIONS sip:trickle@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.3:5999;branch=z9hG4bKtrickle\r\n';
  for (let i = 0; i < header.length && closedAfter === null && Date.now() - openedAt < 60_000; i++) {
    trickle.write(header[i]);
    await sleep(2000);
  }
  check('2 a connection trickling one byte every 2 s into a header is closed', closedAfter !== null, closedAfter ? `after ${Math.round(closedAfter / 1000)} s` : 'open after 60 s');
  trickle.destroy();
}

// 3. Digest brute force from one address does not lock out another user there.
{
  const carol = await signIn(email('carol'), { address: '10.2.1.3' });
  const guesser = await new SipUa({ server: sipHost, port: sipPort, username: bob.sip.username, secret: 'wrong-password', realm: bob.sip.realm }).open();
  const answers = [];
  for (let i = 0; i < 25; i++) answers.push((await guesser.request('REGISTER', `sip:${sipHost}:${sipPort}`, { to: `sip:${bob.sip.username}@${bob.sip.realm}`, headers: ['Expires: 60'] }))?.status);
  guesser.close();
  // Wrong passwords get 403 either way; the brake shows when the right password from the guesser's address is refused.
  const braked = await new SipUa({ server: sipHost, port: sipPort, username: bob.sip.username, secret: bob.sip.secret, realm: bob.sip.realm }).open();
  const b = await braked.request('REGISTER', `sip:${sipHost}:${sipPort}`, { to: `sip:${bob.sip.username}@${bob.sip.realm}`, headers: ['Expires: 60'] });
  braked.close();
  check('3 the guesser\'s address is braked for that user, even with the right password', b?.status === 403, `${answers.filter(a => a === 403).length} of 25 guesses refused; then ${b?.status}`);
  const neighbour = await new SipUa({ server: sipHost, port: sipPort, username: carol.sip.username, secret: carol.sip.secret, realm: carol.sip.realm }).open();
  const r = await neighbour.request('REGISTER', `sip:${sipHost}:${sipPort}`, { to: `sip:${carol.sip.username}@${carol.sip.realm}`, headers: ['Expires: 60'] });
  neighbour.close();
  check('3 another user at the same address registers', r?.status === 200, `${r?.status}`);
  const own = await new SipUa({ server: sipHost, port: sipPort, localAddress: '127.0.0.4', username: bob.sip.username, secret: bob.sip.secret, realm: bob.sip.realm }).open();
  const o = await own.request('REGISTER', `sip:${sipHost}:${sipPort}`, { to: `sip:${bob.sip.username}@${bob.sip.realm}`, headers: ['Expires: 60'] });
  own.close();
  check('3 the attacked user\'s own phone elsewhere registers', o?.status === 200, `${o?.status}`);
}

// 4. Stock sipp registers with default settings.
{
  const dave = await signIn(email('dave'), { address: '10.2.1.4' });
  let output = '', status = 0;
  try {
    output = execFileSync('sipp', [`${sipHost}:${sipPort}`, '-sf', `${repo}Talko.Tests/Infrastructure/Sip/Scenarios/register.xml`, '-s', dave.sip.username,
      '-au', dave.sip.username, '-ap', dave.sip.secret, '-m', '1', '-i', '127.0.0.1', '-p', '0', '-timeout', '15s', '-nostdin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) { status = e.status ?? -1; output = `${e.stdout}${e.stderr}`; }
  check('4 stock sipp 3.6 registers with digest on default settings', status === 0, status === 0 ? 'exit 0' : output.split('\n').filter(Boolean).slice(-3).join(' | '));
}

// 5. Legal messages: long Via chains; an unparsable top Via over TCP.
{
  const ua = await new SipUa({ server: sipHost, port: sipPort }).open();
  const withVias = n => {
    const vias = Array.from({ length: n - 1 }, (_, i) => `Via: SIP/2.0/UDP 10.0.${i >> 8}.${i & 255}:5060;branch=z9hG4bKproxy${i}`);
    return optionsMessage('127.0.0.1', 'udp', ua.localPort, vias);
  };
  const answer = async text => { const r = ua.next(m => m.status !== null, 3000); ua.send(text); return r; };
  const seventyFive = await answer(withVias(75));
  check('5 a request with 75 Via values is answered normally', seventyFive?.status === 200, `${seventyFive?.status} ${seventyFive?.reason ?? ''}`);
  const tooMany = await answer(withVias(150));
  check('5 beyond the documented bound: a precise status and reason', tooMany?.status === 483 || tooMany?.status === 513, `${tooMany?.status} ${tooMany?.reason ?? ''}`);
  ua.close();
  const bad = await tcpRequest(optionsMessage('127.0.0.1', 'tcp').replace(/^Via: .*$/m, 'Via: this is not a via'), '127.0.0.1');
  check('5 an unparsable top Via over TCP gets 400 on the connection', bad?.status === 400, `${bad?.status ?? 'no answer'} ${bad?.reason ?? ''}`);
}

// 6. Every digest and TCP limit is documented.
{
  const doc = readFileSync(`${repo}docs/configuration.md`, 'utf8');
  const keys = ['Talko:Sip:Digest:MaxFailuresPerSourceAndUser', 'Talko:Sip:Digest:MaxFailuresPerUser', 'Talko:Sip:Digest:MaxFailuresPerSource',
    'Talko:Sip:Digest:OfferMd5', 'Talko:Sip:Transport:MaxTcpConnectionsPerAddress', 'Talko:Sip:Transport:TcpMessageTimeout', 'Talko:Sip:Parser:MaxViaValues'];
  const missing = keys.filter(k => !doc.includes(k));
  check('6 digest, TCP and parser limits are in docs/configuration.md', missing.length === 0, missing.join(', '));
}

const errors = logSince(logStart).split('\n').filter(l => /\b(ERR|FTL)\b/.test(l));
check('no error lines in the whole run', errors.length === 0, errors.slice(0, 3).join(' | '));
finish();

function optionsMessage(from, transport, localPort = 5999, extraVias = []) {
  const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
  return [`OPTIONS sip:${sipHost}:${sipPort} SIP/2.0`, `Via: SIP/2.0/${transport.toUpperCase()} ${from}:${localPort};branch=${branch};rport`, ...extraVias,
    'Max-Forwards: 70', `From: <sip:probe@${from}>;tag=${branch.slice(-6)}`, `To: <sip:${sipHost}>`, `Call-ID: ${branch}@probe`, 'CSeq: 1 OPTIONS',
    'Content-Length: 0', '', ''].join('\r\n');
}

function tcpRequest(text, localAddress) {
  return new Promise(resolve => {
    const s = net.connect({ host: sipHost, port: sipPort, localAddress });
    let data = '';
    const done = value => { clearTimeout(timer); s.destroy(); resolve(value); };
    const timer = setTimeout(() => done(null), 5000);
    s.on('connect', () => s.write(text));
    s.on('data', d => { data += d; if (data.includes('\r\n\r\n')) done(parse(data)); });
    s.on('error', () => done(null));
  });
}
