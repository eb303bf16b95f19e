// A tiny SIP user agent over UDP for black-box attacks: digest (MD5, qop=auth), INVITE/ACK/BYE, REGISTER,
// OPTIONS, and raw messages. Enough to put a leg into a call and know its server RTP port.
import dgram from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';

const md5 = s => createHash('md5').update(s).digest('hex');
const token = () => randomBytes(6).toString('hex');

export function parse(text) {
  const [head, body = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const start = lines[0];
  const headers = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(i + 1).trim());
  }
  const status = /^SIP\/2\.0 (\d{3})/.exec(start)?.[1];
  return { start, status: status ? Number(status) : null, reason: start.replace(/^SIP\/2\.0 \d{3} /, ''), headers, body, header: n => headers[n]?.[0] };
}

export class SipUa {
  constructor({ server = '127.0.0.1', port = 5060, localAddress = '127.0.0.1', username, secret, realm } = {}) {
    Object.assign(this, { server, port, localAddress, username, secret, realm });
    this.socket = dgram.createSocket('udp4');
    this.waiters = [];
    this.socket.on('message', m => {
      const msg = parse(m.toString());
      const i = this.waiters.findIndex(w => w.match(msg));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(msg);
    });
    this.callId = `${token()}@attack`;
    this.fromTag = token();
    this.cseq = 1;
  }

  async open() {
    await new Promise(r => this.socket.bind(0, this.localAddress, r));
    this.localPort = this.socket.address().port;
    return this;
  }

  close() { this.socket.close(); }

  send(text) { this.socket.send(text, this.port, this.server); }

  /** The next message matching `match`, or null after `ms`. */
  next(match, ms = 5000) {
    return new Promise(resolve => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => { const i = this.waiters.indexOf(waiter); if (i >= 0) { this.waiters.splice(i, 1); resolve(null); } }, ms);
    });
  }

  /** Sends a request and waits for its final response (answering 401 once with digest credentials). */
  async request(method, uri, { body = '', headers = [], to = uri, auth = true } = {}) {
    let authorization = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      const branch = `z9hG4bK${token()}`;
      const cseq = this.cseq++;
      const lines = [
        `${method} ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${this.localAddress}:${this.localPort};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:${this.username ?? 'anonymous'}@${this.realm ?? 'talko'}>;tag=${this.fromTag}`,
        `To: <${to}>`,
        `Call-ID: ${this.callId}`,
        `CSeq: ${cseq} ${method}`,
        `Contact: <sip:${this.username ?? 'anonymous'}@${this.localAddress}:${this.localPort}>`,
        'User-Agent: talko-attack/1',
        ...headers,
        ...(authorization ? [authorization] : []),
        ...(body ? ['Content-Type: application/sdp'] : []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        '', body,
      ];
      const final = this.next(m => m.status >= 200 && m.header('cseq')?.startsWith(`${cseq} `), 8000);
      this.send(lines.join('\r\n'));
      const response = await final;
      if (!response) return null;
      if (method === 'INVITE') this.ack(uri, response, branch, cseq);
      if (response.status !== 401 || !auth || !this.secret || attempt === 1) return response;
      authorization = this.authorization(method, uri, response.header('www-authenticate'));
    }
  }

  authorization(method, uri, challenge) {
    const field = name => new RegExp(`${name}="?([^",]+)"?`).exec(challenge)?.[1];
    const realm = field('realm'), nonce = field('nonce'), opaque = field('opaque');
    const cnonce = token(), nc = '00000001';
    const ha1 = md5(`${this.username}:${realm}:${this.secret}`);
    const ha2 = md5(`${method}:${uri}`);
    const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `Authorization: Digest username="${this.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"${opaque ? `, opaque="${opaque}"` : ''}`;
  }

  ack(uri, response, branch, cseq) {
    this.toHeader = response.header('to');
    const newBranch = response.status >= 300 ? branch : `z9hG4bK${token()}`;
    this.send([
      `ACK ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.localAddress}:${this.localPort};branch=${newBranch};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.username}@${this.realm}>;tag=${this.fromTag}`,
      `To: ${this.toHeader}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ACK`,
      'Content-Length: 0', '', ''].join('\r\n'));
  }

  /** Joins a call at `uri` offering PCMU with media at `rtpPort`; returns the server's RTP port from its answer. */
  async invite(uri, rtpPort) {
    const sdp = ['v=0', `o=- 1 1 IN IP4 ${this.localAddress}`, 's=-', `c=IN IP4 ${this.localAddress}`, 't=0 0',
      `m=audio ${rtpPort} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
    this.inviteUri = uri;
    const response = await this.request('INVITE', uri, { body: sdp });
    if (response?.status !== 200) throw new Error(`INVITE: ${response?.status} ${response?.reason}`);
    return Number(/m=audio (\d+)/.exec(response.body)[1]);
  }

  async bye() {
    return this.request('BYE', this.inviteUri, { to: this.toHeader.replace(/^<?/, '').startsWith('sip') ? this.toHeader : this.toHeader, auth: false });
  }
}

/** An RTP endpoint: counts what it receives, sends paced PCMU frames. */
export class RtpEndpoint {
  constructor(localAddress = '127.0.0.1') { this.localAddress = localAddress; this.received = 0; this.rtcpReceived = 0; }

  async open(port = 0) {
    this.socket = dgram.createSocket('udp4');
    this.socket.on('message', () => this.received++);
    await new Promise(r => this.socket.bind(port, this.localAddress, r));
    this.port = this.socket.address().port;
    return this;
  }

  async openRtcp() {
    this.rtcp = dgram.createSocket('udp4');
    this.rtcp.on('message', () => this.rtcpReceived++);
    await new Promise(r => this.rtcp.bind(this.port + 1, this.localAddress, r));
    return this;
  }

  async talk(server, port, frames, { ssrc = randomBytes(4).readUInt32BE(), sequence = 1000 } = {}) {
    for (let n = 0; n < frames; n++) {
      const packet = Buffer.alloc(172, 0xff);
      packet[0] = 0x80; packet[1] = n === 0 ? 0x80 : 0x00;
      packet.writeUInt16BE((sequence + n) & 0xffff, 2); packet.writeUInt32BE((n * 160) >>> 0, 4); packet.writeUInt32BE(ssrc, 8);
      this.socket.send(packet, port, server);
      await new Promise(r => setTimeout(r, 20));
    }
  }

  /** One RTCP receiver report from this endpoint's RTCP socket (or its RTP socket when it has none). */
  sendRtcp(server, port) {
    const rr = Buffer.alloc(8);
    rr[0] = 0x80; rr[1] = 201; rr.writeUInt16BE(1, 2); rr.writeUInt32BE(0x12345678, 4);
    (this.rtcp ?? this.socket).send(rr, port, server);
  }

  close() { this.socket.close(); this.rtcp?.close(); }
}
