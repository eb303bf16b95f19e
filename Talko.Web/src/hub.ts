// The realtime connection, following docs/realtime.md: sync after every (re)connect, live events into the store,
// make-before-break on a draining instance's `reconnect`, resync on `resync`, sign-out on a revoked `accessEnded`.
import { HubConnection, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { api, type ConversationView, type TimelineItem } from './api';
import { store } from './store';
import { showStatus } from './status';

let connection: HubConnection | null = null;

function build(): HubConnection {
  const hub = new HubConnectionBuilder()
    .withUrl('/hubs/talko', { accessTokenFactory: () => api.accessToken() })
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
  hub.on('ready', () => { void store.sync(); });
  hub.on('itemCreated', (item: TimelineItem) => { void store.applyLive(item); });
  hub.on('itemUpdated', (item: TimelineItem) => { void store.applyLive(item); });
  hub.on('conversationUpdated', (view: ConversationView) => store.applyConversation(view));
  hub.on('readStateChanged', (state: { conversationId: string; lastReadSeq: number }) => store.applyReadState(state.conversationId, state.lastReadSeq));
  hub.on('membershipChanged', () => { void store.sync(); });
  hub.on('resync', () => { void store.sync(); });
  hub.on('reconnect', () => { void moveToServingInstance(hub); });
  hub.on('accessEnded', async (event: { reason: string }) => {
    if (event.reason === 'revoked') { showStatus('This device was signed out.'); api.signedOut(); return; }
    if (await api.refresh()) await restart();
  });
  hub.onreconnected(() => { void store.sync(); });
  return hub;
}

/** Make before break: a new connection through the load balancer, then the old one closes. */
async function moveToServingInstance(old: HubConnection) {
  const next = build();
  await next.start();
  connection = next;
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

export async function disconnect() {
  const current = connection;
  connection = null;
  await current?.stop();
}
