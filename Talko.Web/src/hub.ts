// The realtime connection, following docs/realtime.md: sync after every (re)connect, live events into the store,
// make-before-break on a draining instance's `reconnect`, resync on `resync`, sign-out on a revoked `accessEnded`.
import { HubConnection, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { api, type ActivityView, type AwarenessView, type BookmarkView, type CallView, type ConversationView, type FlagView, type TagView, type TimelineItem } from './api';
import { store } from './store';
import { showStatus } from './status';
import { startHeartbeat, stopHeartbeat } from './heartbeat';

let connection: HubConnection | null = null;
/** closed: the connection is gone (signed out, or given up); replaced: a new one carries on (reconnect, a deploy). */
export type ConnectionChange = 'closed' | 'replaced';
const replacedListeners = new Set<(change: ConnectionChange) => void>();

/**
 * Told when the hub connection this client talked through is gone or replaced: a WebRTC call leg belongs to its hub
 * connection and ends with it (docs/realtime.md), so the call screen must know.
 */
export function onConnectionReplaced(listener: (change: ConnectionChange) => void): () => void {
  replacedListeners.add(listener);
  return () => replacedListeners.delete(listener);
}

function connectionReplaced(change: ConnectionChange) { replacedListeners.forEach(l => l(change)); }

export interface CallMoved { callId: string; ownerInstanceId: string; }
const movedListeners = new Set<(moved: CallMoved) => void>();

/** Told when a call moved to another instance (`callMoved`, a deploy): a WebRTC leg in it joins again (ADR 0724). */
export function onCallMoved(listener: (moved: CallMoved) => void): () => void {
  movedListeners.add(listener);
  return () => movedListeners.delete(listener);
}

/** A hub method; the server's refusal comes back as an Error whose message carries its stable code. */
export async function invoke<T>(method: string, ...args: unknown[]): Promise<T> {
  await connect();
  await ready();
  if (!connection) throw new Error('offline');
  return await connection.invoke<T>(method, ...args);
}

function build(): HubConnection {
  const hub = new HubConnectionBuilder()
    .withUrl('/hubs/talko', { accessTokenFactory: () => api.accessToken() })
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
  // Every new server-side connection (first connect, automatic reconnect, a move) starts with no activity: say it again.
  hub.on('ready', (event: { heartbeatIntervalMs: number }) => { startHeartbeat(hub, event.heartbeatIntervalMs, () => { void restoreActivity(hub); }); void store.sync(); void restoreActivity(hub); });
  hub.on('itemCreated', (item: TimelineItem) => { void store.applyLive(item); });
  hub.on('itemUpdated', (item: TimelineItem) => { void store.applyLive(item); });
  hub.on('conversationUpdated', (view: ConversationView) => store.applyConversation(view));
  hub.on('readStateChanged', (state: { conversationId: string; lastReadSeq: number }) => store.applyReadState(state.conversationId, state.lastReadSeq));
  hub.on('membershipChanged', () => { void store.sync(); });
  hub.on('tagChanged', (tag: TagView) => store.applyAnnotation(store.tags, tag));
  hub.on('bookmarkChanged', (bookmark: BookmarkView) => store.applyAnnotation(store.bookmarks, bookmark));
  hub.on('flagChanged', (flag: FlagView) => store.applyAnnotation(store.flags, flag));
  hub.on('awareness', (view: AwarenessView) => store.applyAwareness(view));
  hub.on('callStarted', (call: CallView) => store.applyCall(call));
  hub.on('callUpdated', (call: CallView) => store.applyCall(call));
  hub.on('callEnded', (call: CallView) => store.applyCall(call));
  hub.on('callMoved', (moved: CallMoved) => movedListeners.forEach(l => l(moved)));
  hub.on('resync', () => { void store.sync(); });
  hub.on('reconnect', () => { void moveToServingInstance(hub); });
  hub.on('accessEnded', async (event: { reason: string }) => {
    if (event.reason === 'revoked') { showStatus('This device was signed out.'); api.signedOut(); return; }
    if (await api.refresh()) await restart();
  });
  hub.onreconnected(() => { connectionReplaced('replaced'); void store.sync(); });
  // Closed for good: stopped by disconnect() (connection already cleared) or given up on; not the old one a move replaced.
  hub.onclose(() => { stopHeartbeat(hub); if (connection === hub || connection === null) connectionReplaced('closed'); });
  return hub;
}

/** Make before break: a new connection through the load balancer, then the old one closes. */
async function moveToServingInstance(old: HubConnection) {
  const next = build();
  await next.start();
  // Signed out, or moved by another `reconnect`, while this one was starting: it is not wanted (and would beat on).
  if (connection !== old) {
    await next.stop();
    return;
  }
  connection = next;
  connectionReplaced('replaced');
  await old.stop();
}

export async function connect() {
  if (connection) return;
  connection = build();
  try {
    await connection.start();
  } catch {
    connection = null;
    showStatus('Offline: retrying…');
    setTimeout(() => { void connect(); }, 3000);
  }
}

async function restart() {
  await disconnect();
  await connect();
}

let activity: ActivityView = { kind: 'None', conversationId: null, callId: null, muted: false, talking: false, positionMs: null };

/**
 * Tells the server what this device is doing (viewing or typing in a conversation, or nothing). Kept here and sent
 * again on every `ready`, so a connection that was slow to come up or was replaced still shows it.
 */
export async function setActivity(next: Partial<ActivityView> & Pick<ActivityView, 'kind'>) {
  activity = { conversationId: null, callId: null, muted: false, talking: false, positionMs: null, ...next };
  await ready();
  if (connection) await sendActivity(connection);
}

async function sendActivity(hub: HubConnection) {
  if (hub.state === 'Connected') await hub.invoke('SetActivity', activity).catch(() => {});
}

/** A new connection starts with no activity, so only a real one is said again. */
async function restoreActivity(hub: HubConnection) {
  if (activity.kind !== 'None') await sendActivity(hub);
}

export async function setTyping(conversationId: string) {
  await connection?.invoke('SetTyping', conversationId).catch(() => {});
}

/** The awareness of a conversation's members, into the store. */
export async function loadAwareness(conversationId: string) {
  await ready();
  const views = await connection?.invoke<AwarenessView[]>('GetAwareness', conversationId).catch(() => [] as AwarenessView[]) ?? [];
  views.forEach(v => store.applyAwareness(v));
}

async function ready() {
  for (let i = 0; i < 100 && connection && connection.state !== 'Connected'; i++) await new Promise(r => setTimeout(r, 100));
}

export async function disconnect() {
  const current = connection;
  connection = null;
  await current?.stop();
}
