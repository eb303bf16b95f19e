// What the client knows, kept the way docs/realtime.md asks: sync from a stored token, live events applied by
// (conversationId, seq) and version, gaps filled from the items endpoint. Screens subscribe and re-render.
import { Annotations } from './annotations';
import { oncePerFrame } from './frame';
import { api, type Annotation, type AwarenessView, type BookmarkView, type CallView, type ConversationView, type FlagView, type TagView, type TimelineItem } from './api';

const tokenKey = 'talko.syncToken';
type Listener = () => void;

class Store {
  readonly conversations = new Map<string, ConversationView>();
  private readonly items = new Map<string, Map<number, TimelineItem>>();
  /** Each conversation's items in seq order, sorted again only after one of them changed. */
  private readonly sorted = new Map<string, readonly TimelineItem[]>();
  readonly tags = new Annotations<TagView>();
  readonly bookmarks = new Annotations<BookmarkView>();
  readonly flags = new Annotations<FlagView>();
  /** Awareness of the people in the conversations on screen, by user id, from GetAwareness and `awareness` events. */
  readonly awareness = new Map<string, AwarenessView>();
  /** Calls seen in this session, by id, from GET /v1/calls/{id} and the `callStarted`/`callUpdated`/`callEnded` events. */
  readonly calls = new Map<string, CallView>();
  private readonly listeners = new Set<Listener>();
  private syncing: Promise<void> | null = null;
  private followUp: Promise<void> | null = null;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listeners hear of changes once per frame, however many events arrived in it. */
  private readonly changed = oncePerFrame(() => this.listeners.forEach(l => l()));

  /** A conversation's items in seq order; the same array until one of them changes (several screens draw from it). */
  timeline(conversationId: string): readonly TimelineItem[] {
    let sorted = this.sorted.get(conversationId);
    if (!sorted) this.sorted.set(conversationId, sorted = [...(this.items.get(conversationId)?.values() ?? [])].sort((a, b) => a.seq - b.seq));
    return sorted;
  }

  /**
   * Step 2 of the client protocol: page through /v1/sync from the stored token; one run at a time. A call made while a
   * run is going waits for one more run after it: the running one may have read its page before the change the caller
   * just made (a conversation it created), and the caller relies on seeing it.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      return this.followUp ??= this.syncing.catch(() => {}).then(() => {
        this.followUp = null;
        return this.syncing ?? this.sync();
      });
    }
    this.syncing = this.syncOnce().finally(() => { this.syncing = null; });
    return this.syncing;
  }

  private async syncOnce() {
    let token = localStorage.getItem(tokenKey);
    for (;;) {
      const page = await api.sync(token);
      page.conversations.forEach(c => this.conversations.set(c.id, c));
      page.removedConversations.forEach(id => { this.conversations.delete(id); this.items.delete(id); this.sorted.delete(id); });
      page.items.forEach(i => this.put(i));
      page.tags.forEach(t => this.tags.apply(t));
      page.bookmarks.forEach(b => this.bookmarks.apply(b));
      page.flags.forEach(f => this.flags.apply(f));
      token = page.token;
      localStorage.setItem(tokenKey, token);
      if (!page.hasMore) break;
    }
    this.changed();
  }

  /** A live item: applied if newer; a gap before it is filled from the items endpoint. */
  async applyLive(item: TimelineItem) {
    const known = this.timeline(item.conversationId);
    const last = known.length ? known[known.length - 1].seq : 0;
    this.put(item);
    const conversation = this.conversations.get(item.conversationId);
    if (conversation && item.seq > conversation.lastSeq) this.conversations.set(item.conversationId, { ...conversation, lastSeq: item.seq });
    this.changed();
    if (item.seq > last + 1 && known.length) await this.fill(item.conversationId, last);
  }

  /** Tags, bookmarks and flags: the newest version wins; a removed one stays as a tombstone and is not shown. */
  applyAnnotation<T extends Annotation>(into: Annotations<T>, view: T) {
    into.apply(view);
    this.changed();
  }

  applyAwareness(view: AwarenessView) {
    this.awareness.set(view.userId, view);
    this.changed();
  }

  applyCall(view: CallView) {
    // An ended call stays ended: a late `callUpdated` from before the end must not bring it back.
    if (this.calls.get(view.id)?.state === 'ended' && view.state !== 'ended') return;
    this.calls.set(view.id, view);
    this.changed();
  }

  /** The live call of a conversation, if this client knows of one. */
  liveCall(conversationId: string): CallView | undefined {
    return [...this.calls.values()].find(c => c.conversationId === conversationId && c.state === 'live');
  }

  applyConversation(view: ConversationView) {
    const known = this.conversations.get(view.id);
    if (known && known.version > view.version) return;
    // Read state is personal: conversation events carry zeros for it.
    this.conversations.set(view.id, { ...view, lastReadSeq: known?.lastReadSeq ?? view.lastReadSeq, unreadCount: known?.unreadCount ?? view.unreadCount });
    this.changed();
  }

  applyReadState(conversationId: string, lastReadSeq: number) {
    const known = this.conversations.get(conversationId);
    if (!known || lastReadSeq <= known.lastReadSeq) return;
    this.conversations.set(conversationId, { ...known, lastReadSeq, unreadCount: Math.max(0, known.lastSeq - lastReadSeq) });
    this.changed();
  }

  private async fill(conversationId: string, after: number) {
    for (;;) {
      const page = await api.itemsAfter(conversationId, after);
      page.items.forEach(i => this.put(i));
      if (!page.hasMore || !page.items.length) break;
      after = page.items[page.items.length - 1].seq;
    }
    this.changed();
  }

  private put(item: TimelineItem) {
    let timeline = this.items.get(item.conversationId);
    if (!timeline) this.items.set(item.conversationId, timeline = new Map());
    const known = timeline.get(item.seq);
    if (known && known.version >= item.version) return;
    timeline.set(item.seq, item);
    this.sorted.delete(item.conversationId);
  }

  forget() {
    this.conversations.clear();
    this.items.clear();
    this.sorted.clear();
    this.tags.clear();
    this.bookmarks.clear();
    this.flags.clear();
    this.awareness.clear();
    this.calls.clear();
    localStorage.removeItem(tokenKey);
  }
}

export const store = new Store();
