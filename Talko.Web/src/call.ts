// The one call this window is in, over WebRTC (docs/realtime.md "Calls over WebRTC", ADR 0721): the microphone into an
// RTCPeerConnection, its complete offer to the hub's JoinCall, the server's answer back (no trickle), and the mix it
// sends played through an <audio> element. It outlives screens, so moving around the app does not drop the call.
import { invoke, onCallMoved, onConnectionReplaced } from './hub';

type Listener = () => void;

export interface ActiveCall { callId: string; conversationId: string; muted: boolean; connection: RTCPeerConnectionState; }

let active: ActiveCall | null = null;
let peer: RTCPeerConnection | null = null;
let microphone: MediaStream | null = null;
let dropped = false;
const listeners = new Set<Listener>();

/** The element the call's audio plays through; outside every screen, so redraws never interrupt it. */
const speaker = document.createElement('audio');
speaker.autoplay = true;
speaker.setAttribute('aria-hidden', 'true');
speaker.dataset.callAudio = '';
document.body.append(speaker);

export function activeCall(): ActiveCall | null { return active; }

export function onCallChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() { listeners.forEach(l => l()); }

/** Joins the call with this window's microphone. Throws a CallError with a sentence for the person. */
export async function joinCall(callId: string, conversationId: string): Promise<void> {
  if (active) await leaveCall();
  try {
    microphone = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  } catch (error) {
    throw new CallError(error instanceof DOMException && error.name === 'NotAllowedError'
      ? 'Talko needs your microphone to join the call. Allow it in the browser and try again.'
      : 'No microphone could be opened for the call.');
  }
  const connection = peer = new RTCPeerConnection();
  microphone.getAudioTracks().forEach(track => connection.addTrack(track, microphone!));
  connection.ontrack = event => {
    speaker.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    void speaker.play().catch(() => {});
  };
  active = { callId, conversationId, muted: false, connection: connection.connectionState };
  connection.onconnectionstatechange = () => {
    if (peer !== connection || !active) return;
    active = { ...active, connection: connection.connectionState };
    changed();
  };
  changed();
  try {
    await connection.setLocalDescription(await connection.createOffer());
    // The offer is complete once the browser gathered its candidates; the server learns the address from ICE checks
    // anyway, so waiting is not needed (docs/realtime.md).
    const answer = await invoke<string>('JoinCall', callId, connection.localDescription!.sdp);
    await connection.setRemoteDescription({ type: 'answer', sdp: answer });
  } catch (error) {
    hangUp();
    throw new CallError(describeRefusal(error));
  }
}

export async function setMuted(muted: boolean): Promise<void> {
  if (!active) return;
  const call = active;
  // Silence locally at once, and ask the server to drop the leg's audio before the mix (awareness shows it muted).
  microphone?.getAudioTracks().forEach(t => { t.enabled = !muted; });
  active = { ...call, muted };
  changed();
  try {
    await invoke('SetCallMuted', call.callId, muted);
  } catch (error) {
    throw new CallError(describeRefusal(error));
  }
}

export async function leaveCall(): Promise<void> {
  if (!active) return;
  const callId = active.callId;
  hangUp();
  // The leg also ends when the peer connection's consent lapses; telling the server makes it immediate.
  await invoke('LeaveCall', callId).catch(() => {});
}

function hangUp() {
  peer?.close();
  peer = null;
  microphone?.getTracks().forEach(t => t.stop());
  microphone = null;
  speaker.srcObject = null;
  active = null;
  changed();
}

// The leg belonged to the hub connection that joined it (docs/realtime.md): when that connection is replaced (an
// automatic reconnect, a deploy's make-before-break), join again on the new one; when it is gone, the call is too.
onConnectionReplaced(change => {
  if (!active) return;
  const { callId, conversationId } = active;
  dropped = change === 'closed';
  hangUp();
  if (change === 'replaced') joinCall(callId, conversationId).catch(() => { dropped = true; changed(); });
});

// The call moved to another instance (a deploy): join again over the same hub connection with a new peer connection,
// then drop the old one. The old owner has ended the old leg already (ADR 0724: the new owner takes the call once the
// old one's recording is closed), so the audio gap is one join; the microphone and the screen stay as they are.
let movedTo: string | null = null;

onCallMoved(({ callId, ownerInstanceId }) => {
  // The old owner announces the move, and the new owner again when it adopts the call: one rejoin per new owner.
  if (!active || active.callId !== callId || !microphone || movedTo === `${callId}/${ownerInstanceId}`) return;
  movedTo = `${callId}/${ownerInstanceId}`;
  const old = peer;
  const connection = peer = new RTCPeerConnection();
  microphone.getAudioTracks().forEach(track => connection.addTrack(track, microphone!));
  connection.ontrack = event => {
    speaker.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    void speaker.play().catch(() => {});
  };
  connection.onconnectionstatechange = () => {
    if (peer !== connection || !active) return;
    active = { ...active, connection: connection.connectionState };
    changed();
  };
  void (async () => {
    try {
      await connection.setLocalDescription(await connection.createOffer());
      const answer = await invoke<string>('JoinCall', callId, connection.localDescription!.sdp);
      await connection.setRemoteDescription({ type: 'answer', sdp: answer });
      old?.close();
      if (active?.muted) await invoke('SetCallMuted', callId, true);
    } catch {
      // The old leg is gone or going; without a new one the call is over for this window.
      old?.close();
      dropped = true;
      hangUp();
    }
  })();
});

/** True once after the call was dropped by a lost connection, so the screen can say so. */
export function takeDropped(): boolean {
  const was = dropped;
  dropped = false;
  return was;
}

export class CallError extends Error {}

/** The hub's refusals start with a stable code (docs/realtime.md); each gets a sentence a person understands. */
export function describeRefusal(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = /\b(call_[a-z_]+|not_in_call|sdp_[a-z_]+)\b/.exec(text)?.[1];
  switch (code) {
    case 'call_not_found': return 'This call does not exist, or you are not in its conversation.';
    case 'call_ended': return 'This call has ended.';
    case 'call_unavailable': return 'No server can take the call right now. Try again in a moment.';
    case 'call_join_refused': return 'This window is already in the call.';
    case 'call_full': return 'The call is full.';
    case 'not_in_call': return 'You are not in this call any more.';
    case undefined: return text === 'offline' ? 'Offline: the call cannot be joined until the connection is back.' : 'The call could not be joined.';
    default: return `This browser's audio could not be used for the call (${code}).`;
  }
}
