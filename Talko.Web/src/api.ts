// The REST client: one place that knows the token, refreshes it once on a 401, and turns problem details into errors.

export interface Tokens { accessToken: string; refreshToken: string; }
export interface Session { userId: string; deviceId: string; tokens: Tokens; }

export interface Media { blobId: string; url: string; contentType: string; length: number; width?: number; height?: number; }
export interface TimelineItem {
  id: string; conversationId: string; seq: number; version: number;
  kind: 'Text' | 'Photo' | 'VoiceClip' | 'System';
  authorId: string | null; text: string | null; media: Media | null; thumbnail: Media | null; durationMs: number | null;
  systemEvent: string | null; subjectUserId: string | null; idempotencyKey: string | null; callId: string | null; callOffsetMs: number | null;
  createdAt: string; editedAt: string | null; deletedAt: string | null;
}
export interface ConversationView {
  id: string; groupId: string; title: string; lastSeq: number; version: number; lastReadSeq: number; unreadCount: number; archivedAt: string | null;
}
export interface GroupView { id: string; name: string; myRole: string; members: { userId: string; role: string }[]; }
export interface Annotation { id: string; conversationId: string; version: number; itemId: string | null; removed: boolean; createdAt: string; }
export interface TagView extends Annotation { tag: string; addedBy: string; }
export interface BookmarkView extends Annotation { note: string | null; authorId: string; }
export interface FlagView extends Annotation {}
export interface SyncPage {
  token: string; hasMore: boolean; conversations: ConversationView[]; removedConversations: string[]; items: TimelineItem[];
  tags: TagView[]; bookmarks: BookmarkView[]; flags: FlagView[];
}
export interface ActivityView { kind: 'None' | 'Viewing' | 'Typing' | 'InCall' | 'Listening'; conversationId: string | null; callId: string | null; muted: boolean; talking: boolean; positionMs: number | null; }
export interface AwarenessView { userId: string; presence: 'Offline' | 'Away' | 'Online'; activity: ActivityView; statusText: string | null; }
export interface NotificationView { id: string; kind: string; conversationId: string | null; itemId: string | null; title: string | null; body: string | null; createdAt: string; read: boolean; }
export interface CallMarker { kind: string; offsetMs: number; endMs: number | null; userId: string | null; itemId: string | null; tag: string | null; note: string | null; }
export interface RecordingPlayback { url: string; expiresAt: string; }
export interface CallTimeline { callId: string; durationMs: number; markers: CallMarker[]; }
export interface CallParticipant { userId: string; deviceId: string | null; joinedAt: string; talking: boolean; }
export interface CallView { id: string; conversationId: string; state: string; participants: CallParticipant[]; talking: string[]; }
export interface Preferences { quietFrom: string | null; quietUntil: string | null; timeZone: string | null; }
export interface Person { userId: string; displayName: string | null; }
export interface MailboxMessage { to: string; code: string; sentAt: string; expiresAt: string; }

export class ApiError extends Error {
  /** reason: the problem's stable code (`call_live`, ...), when the server gave one. */
  constructor(readonly status: number, readonly title: string, readonly detail?: string, readonly reason?: string) { super(detail ?? title); }
}

const sessionKey = 'talko.session';

export function loadSession(): Session | null {
  const raw = localStorage.getItem(sessionKey);
  return raw ? JSON.parse(raw) as Session : null;
}

function saveSession(session: Session | null) {
  if (session) localStorage.setItem(sessionKey, JSON.stringify(session));
  else localStorage.removeItem(sessionKey);
}

let session = loadSession();
let refreshing: Promise<boolean> | null = null;
const signedOutListeners: (() => void)[] = [];

export const api = {
  get session() { return session; },
  onSignedOut(listener: () => void) { signedOutListeners.push(listener); },

  async request<T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
    const send = () => fetch(path, {
      ...init,
      method,
      headers: {
        ...(body !== undefined && !(body instanceof Blob) ? { 'content-type': 'application/json' } : {}),
        ...(session ? { authorization: `Bearer ${session.tokens.accessToken}` } : {}),
        ...(init.headers ?? {}),
      },
      body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    });
    let response = await send();
    if (response.status === 401 && session && await api.refresh()) response = await send();
    if (!response.ok) {
      const problem = await response.json().catch(() => ({} as { title?: string; detail?: string; reason?: string }));
      throw new ApiError(response.status, problem.title ?? response.statusText, problem.detail, problem.reason);
    }
    return response.status === 204 ? undefined as T : await response.json() as T;
  },

  /** A fresh access token for the hub (SignalR calls this on every connect). */
  async accessToken(): Promise<string> {
    return session?.tokens.accessToken ?? '';
  },

  refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        const response = await fetch('/v1/auth/refresh', {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: session?.tokens.refreshToken }),
        });
        if (!response.ok) { api.signedOut(); return false; }
        const refreshed = await response.json() as Session;
        session = { ...session!, tokens: refreshed.tokens };
        saveSession(session);
        return true;
      } finally { refreshing = null; }
    })();
    return refreshing;
  },

  signedIn(value: Session) { session = value; saveSession(value); },

  signedOut() {
    session = null;
    saveSession(null);
    signedOutListeners.forEach(l => l());
  },

  startSignIn: (identifier: string) => api.request<{ codeLength: number }>('POST', '/v1/auth/start', { identifier }),
  verify: (identifier: string, code: string) =>
    api.request<Session>('POST', '/v1/auth/verify', { identifier, code, device: { platform: 'Web', name: navigator.userAgent.slice(0, 60) } }),
  logout: () => api.request<void>('POST', '/v1/auth/logout'),
  me: () => api.request<{ userId: string; displayName: string | null }>('GET', '/v1/me'),
  setDisplayName: (displayName: string) => api.request<void>('PATCH', '/v1/me', { displayName }),
  mailbox: () => api.request<MailboxMessage[]>('GET', '/dev/mailbox'),
  groups: () => api.request<GroupView[]>('GET', '/v1/groups'),
  createGroup: (name: string) => api.request<GroupView>('POST', '/v1/groups', { name }),
  invite: (groupId: string, identifier: string) => api.request<unknown>('POST', `/v1/groups/${groupId}/invites`, { identifier }),
  createConversation: (groupId: string, title: string) => api.request<ConversationView>('POST', `/v1/groups/${groupId}/conversations`, { title }),
  sync: (since: string | null) => api.request<SyncPage>('GET', `/v1/sync${since ? `?since=${encodeURIComponent(since)}` : ''}`),
  itemsAfter: (conversationId: string, after: number) =>
    api.request<{ items: TimelineItem[]; hasMore: boolean }>('GET', `/v1/conversations/${conversationId}/items?after=${after}`),
  postText: (conversationId: string, text: string, idempotencyKey: string) =>
    api.request<TimelineItem>('POST', `/v1/conversations/${conversationId}/items`, { idempotencyKey, text }),
  postPhoto: (conversationId: string, file: Blob, idempotencyKey: string) =>
    api.request<TimelineItem>('POST', `/v1/conversations/${conversationId}/photos`, file,
      { headers: { 'content-type': file.type || 'application/octet-stream', 'idempotency-key': idempotencyKey } }),
  postVoiceClip: (conversationId: string, clip: Blob, idempotencyKey: string) =>
    api.request<TimelineItem>('POST', `/v1/conversations/${conversationId}/voice-clips`, clip,
      { headers: { 'content-type': clip.type.split(';')[0] || 'application/octet-stream', 'idempotency-key': idempotencyKey } }),
  editText: (conversationId: string, itemId: string, text: string) =>
    api.request<TimelineItem>('PATCH', `/v1/conversations/${conversationId}/items/${itemId}`, { text }),
  deleteItem: (conversationId: string, itemId: string) =>
    api.request<TimelineItem | undefined>('DELETE', `/v1/conversations/${conversationId}/items/${itemId}`),
  call: (callId: string) => api.request<CallView>('GET', `/v1/calls/${callId}`),
  startCall: (conversationId: string) => api.request<CallView>('POST', `/v1/conversations/${conversationId}/calls`),
  callTimeline: (callId: string) => api.request<CallTimeline>('GET', `/v1/calls/${callId}/timeline`),
  /** A signed URL, good for a few minutes, that an <audio> element plays with Range requests (it cannot send the token). */
  recordingPlayback: (callId: string) => api.request<RecordingPlayback>('POST', `/v1/calls/${callId}/recording/playback`),
  markRead: (conversationId: string, seq: number) => api.request<void>('POST', `/v1/conversations/${conversationId}/read`, { seq }),
  addTag: (conversationId: string, itemId: string, tag: string) => api.request<TagView>('POST', `/v1/conversations/${conversationId}/tags`, { tag, itemId }),
  addBookmark: (conversationId: string, itemId: string, note: string | null) =>
    api.request<BookmarkView>('POST', `/v1/conversations/${conversationId}/bookmarks`, { note, itemId }),
  addFlag: (conversationId: string, itemId: string) => api.request<FlagView>('POST', `/v1/conversations/${conversationId}/flags`, { itemId }),
  search: (q: string) => api.request<{ conversations: ConversationView[]; items: TimelineItem[] }>('GET', `/v1/search?q=${encodeURIComponent(q)}`),
  notifications: () => api.request<{ items: NotificationView[]; unreadCount: number }>('GET', '/v1/notifications'),
  markAllNotificationsRead: () => api.request<unknown>('POST', '/v1/notifications/read', {}),
  mutes: () => api.request<{ conversationId: string; until: string | null }[]>('GET', '/v1/notifications/mutes'),
  mute: (conversationId: string) => api.request<void>('PUT', `/v1/notifications/mutes/${conversationId}`, { until: null }),
  unmute: (conversationId: string) => api.request<void>('DELETE', `/v1/notifications/mutes/${conversationId}`),
  preferences: () => api.request<Preferences>('GET', '/v1/notifications/preferences'),
  setPreferences: (preferences: Preferences) => api.request<Preferences>('PUT', '/v1/notifications/preferences', preferences),
  people: (ids: string[]) => api.request<Person[]>('GET', `/v1/people?${ids.map(id => `id=${id}`).join('&')}`),

  /** A blob (photo, thumbnail) as an object URL: blobs need the bearer token, which an <img src> cannot send. */
  async blobUrl(url: string): Promise<string> {
    const send = () => fetch(url, { headers: session ? { authorization: `Bearer ${session.tokens.accessToken}` } : {} });
    let response = await send();
    if (response.status === 401 && await api.refresh()) response = await send();
    if (!response.ok) throw new ApiError(response.status, response.statusText);
    return URL.createObjectURL(await response.blob());
  },
};
