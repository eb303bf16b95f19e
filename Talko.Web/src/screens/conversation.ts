// A conversation's timeline: texts and photos, live, with an unread marker and the read position moved on view.
import { api, ApiError, type AwarenessView, type TimelineItem } from '../api';
import { callSection } from './callbar';
import { loadAwareness, setActivity, setTyping } from '../hub';
import { field, h, render, updateChildren, whenChanged } from '../dom';
import { nameOf, namesGeneration, resolveNames } from '../people';
import { recordingSupported, startRecording, type Recording } from '../recorder';
import { store } from '../store';
import { showStatus } from '../status';

const thumbnails = new Map<string, Promise<string>>();
// Media elements live across redraws, so a clip keeps playing and a photo does not flicker when a live event arrives.
const mediaViews = new Map<string, HTMLElement>();

export async function conversationScreen(root: HTMLElement, conversationId: string): Promise<() => void> {
  await store.sync();
  const conversation = store.conversations.get(conversationId);
  if (!conversation) { render(root, h('p', {}, 'No such conversation.')); return () => {}; }
  const unreadAfter = conversation.lastReadSeq;

  const list = h('ol', { class: 'timeline', 'aria-label': 'Timeline', 'aria-live': 'polite' });
  const here = h('ul', { class: 'here', 'aria-label': 'Who is here' });
  const muted = (await api.mutes().catch(() => [])).some(m => m.conversationId === conversationId);
  const muteToggle = h('button', { type: 'button', class: 'secondary', 'aria-pressed': String(muted) }, muted ? 'Unmute' : 'Mute');
  muteToggle.addEventListener('click', async () => {
    const nowMuted = muteToggle.getAttribute('aria-pressed') !== 'true';
    await attempt(async () => {
      if (nowMuted) await api.mute(conversationId); else await api.unmute(conversationId);
      muteToggle.setAttribute('aria-pressed', String(nowMuted));
      muteToggle.textContent = nowMuted ? 'Unmute' : 'Mute';
      showStatus(nowMuted ? 'Muted: no pushes from this conversation.' : 'Unmuted.');
    });
  });
  const text = h('input', { name: 'text', autocomplete: 'off', maxlength: '4000', required: true, 'data-autofocus': true });
  const photo = h('input', { type: 'file', name: 'photo', accept: 'image/jpeg,image/png,image/heic,image/webp' });
  const composer = h('form', {
    class: 'composer', 'aria-label': 'Write a message',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const value = text.value.trim();
      if (!value) return;
      text.value = '';
      await attempt(async () => { await store.applyLive(await api.postText(conversationId, value, crypto.randomUUID())); });
    },
  }, field('Message', text), h('button', { type: 'submit' }, 'Send'));
  let typingSentAt = 0;
  text.addEventListener('input', () => {
    // Typing ends by itself on the server unless repeated; once every 2 s is enough to keep it on.
    if (Date.now() - typingSentAt > 2000) { typingSentAt = Date.now(); void setTyping(conversationId); }
  });
  const record = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, 'Record voice clip');
  let recording: Recording | null = null;
  record.addEventListener('click', async () => {
    if (!recording) {
      await attempt(async () => {
        recording = await startRecording();
        record.setAttribute('aria-pressed', 'true');
        record.textContent = 'Stop recording';
      });
      return;
    }
    const clip = await recording.stop();
    recording = null;
    record.setAttribute('aria-pressed', 'false');
    record.textContent = 'Record voice clip';
    await attempt(async () => { await store.applyLive(await api.postVoiceClip(conversationId, clip, crypto.randomUUID())); });
  });
  photo.addEventListener('change', async () => {
    const file = photo.files?.[0];
    if (!file) return;
    await attempt(async () => { await store.applyLive(await api.postPhoto(conversationId, file, crypto.randomUUID())); });
    photo.value = '';
  });

  const call = callSection(conversationId);
  render(root,
    h('p', {}, h('a', { href: '#/' }, '← All conversations')),
    h('div', { class: 'inline header' }, h('h1', {}, conversation.title), muteToggle),
    call.element,
    here,
    list,
    composer,
    h('div', { class: 'inline' }, field('Send a photo', photo), recordingSupported() ? record : null));

  const drawHere = whenChanged((people: { presence: string; line: string }[]) => here.replaceChildren(...people.map(p =>
    h('li', {}, h('span', { class: `dot ${p.presence}`, 'aria-hidden': 'true' }), p.line))));
  let lastMarked = unreadAfter;
  const views = new ItemViews();
  const marker = h('li', { class: 'unread-marker', role: 'separator' }, 'New');
  const draw = () => {
    const items = store.timeline(conversationId);
    const kept = keepOpenActions(list);
    const children = items.flatMap(item => [
      item.seq === unreadAfter + 1 && unreadAfter > 0 ? marker : null,
      views.of(item),
    ].filter((n): n is HTMLElement => n !== null));
    views.keepOnly(items);
    // Most changes (awareness, talking, a new item at the end) leave most rows as they were: only new rows go in, so a
    // busy call does not lay out a long timeline again several times a second.
    updateChildren(list, children);
    const people = [...store.awareness.values()]
      .filter(a => a.userId !== api.session?.userId && a.presence !== 'Offline')
      .map(a => ({ presence: a.presence.toLowerCase(), line: `${nameOf(a.userId)}: ${describeAwareness(a, conversationId)}` }));
    drawHere(people.map(p => `${p.presence} ${p.line}`).join('\n'), people);
    kept();
    call.draw();
    void resolveNames().then(arrived => { if (arrived) draw(); });
    const newest = items.length ? items[items.length - 1].seq : 0;
    if (newest > lastMarked && document.visibilityState === 'visible') {
      lastMarked = newest;
      void api.markRead(conversationId, newest).catch(() => {});
    }
  };
  draw();
  void setActivity({ kind: 'Viewing', conversationId });
  void loadAwareness(conversationId);
  const unsubscribe = store.subscribe(draw);
  // Items are marked read only while the page is seen: coming back to a hidden tab marks what arrived meanwhile.
  const seen = () => { if (document.visibilityState === 'visible') draw(); };
  document.addEventListener('visibilitychange', seen);
  return () => {
    unsubscribe();
    document.removeEventListener('visibilitychange', seen);
    call.dispose();
    void recording?.stop();
    void setActivity({ kind: 'None' });
  };
}

/**
 * Item rows by item id, built again only when what a row shows changed: the item (its version), its tags, bookmark
 * and flag, or a name. Building a row costs a form and a time format; a conversation with hundreds of items in a
 * call redraws on every talking change.
 */
class ItemViews {
  private readonly rows = new Map<string, { key: string; element: HTMLElement }>();

  of(item: TimelineItem): HTMLElement {
    const tags = store.tags.on(item.id);
    const key = [item.version, namesGeneration(), tags.map(t => `${t.id}:${t.version}`).join(','),
      store.bookmarks.on(item.id).length > 0, store.flags.on(item.id).length > 0].join('|');
    const row = this.rows.get(item.id);
    if (row?.key === key) return row.element;
    const element = itemView(item);
    this.rows.set(item.id, { key, element });
    return element;
  }

  /** Forgets rows of items no longer in the timeline. */
  keepOnly(items: readonly TimelineItem[]) {
    if (this.rows.size <= items.length) return;
    const ids = new Set(items.map(i => i.id));
    for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
  }
}

/**
 * The timeline is redrawn on every change; an open actions panel, what was typed in it and its focus survive that, so
 * a live event never snatches the form from under the user. Returns the restore step.
 */
function keepOpenActions(list: HTMLElement): () => void {
  const open = [...list.querySelectorAll<HTMLDetailsElement>('details[open]')].map(d => d.closest('li.item')?.getAttribute('data-seq'));
  const focused = document.activeElement instanceof HTMLInputElement && list.contains(document.activeElement) ? document.activeElement : null;
  const focusedSeq = focused?.closest('li.item')?.getAttribute('data-seq');
  return () => {
    for (const seq of open) {
      const details = list.querySelector<HTMLDetailsElement>(`li.item[data-seq="${seq}"] details`);
      if (details) details.open = true;
    }
    // A row left in place (the usual case) kept its focus; a row built again or moved lost it, and gets it back.
    if (focused && focusedSeq && document.activeElement !== focused) {
      const input = list.querySelector<HTMLInputElement>(`li.item[data-seq="${focusedSeq}"] input[name="${focused.name}"]`);
      if (input) { if (input !== focused) input.value = focused.value; input.focus(); }
    }
  };
}

function describeAwareness(a: AwarenessView, conversationId: string): string {
  const here = a.activity.conversationId === conversationId;
  switch (a.activity.kind) {
    case 'Typing': return here ? 'typing…' : 'online';
    case 'Viewing': return here ? 'viewing' : 'online';
    case 'InCall': return a.activity.talking ? 'talking in a call' : 'in a call';
    case 'Listening': return 'listening to a recording';
    default: return a.presence === 'Away' ? 'away' : 'online';
  }
}

/** One formatter for every row rather than one per row drawn. */
const timeOfDay = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });

function itemView(item: TimelineItem): HTMLElement {
  const when = h('time', { datetime: item.createdAt }, timeOfDay.format(new Date(item.createdAt)));
  if (item.kind === 'System') {
    return h('li', { class: 'item system', 'data-seq': String(item.seq) }, `${describeSystem(item)} `, when,
      item.callId && item.systemEvent === 'call-ended' ? h('a', { href: `#/call/${item.callId}`, class: 'play' }, ' Play the recording') : null);
  }
  const body = item.deletedAt ? h('p', { class: 'deleted' }, 'Deleted') : content(item);
  const tags = store.tags.on(item.id);
  const bookmarked = store.bookmarks.on(item.id).length > 0;
  const flagged = store.flags.on(item.id).length > 0;
  return h('li', { class: 'item', 'data-seq': String(item.seq) },
    h('div', { class: 'meta' }, h('strong', {}, nameOf(item.authorId)), ' ', when, item.editedAt ? ' (edited)' : '',
      bookmarked ? h('span', { class: 'chip' }, 'Bookmarked') : null, flagged ? h('span', { class: 'chip' }, 'Flagged') : null),
    body,
    tags.length ? h('ul', { class: 'tags', 'aria-label': 'Tags' }, ...tags.map(t => h('li', { class: 'chip' }, `#${t.tag}`))) : null,
    item.deletedAt ? null : itemActions(item));
}

/** Tag, bookmark and flag one item, behind a disclosure so the timeline stays quiet. */
function itemActions(item: TimelineItem): HTMLElement {
  const tag = h('input', { name: 'tag', maxlength: '64', required: true, pattern: '#?[^\\s#]+' });
  return h('details', { class: 'actions' },
    h('summary', {}, 'More', h('span', { class: 'visually-hidden' }, ` for message ${item.seq}`)),
    h('form', {
      class: 'inline', 'aria-label': `Tag message ${item.seq}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        await attempt(async () => { store.applyAnnotation(store.tags, await api.addTag(item.conversationId, item.id, tag.value.trim())); });
      },
    }, field('Tag', tag), h('button', { type: 'submit' }, 'Add tag')),
    h('div', { class: 'inline' },
      h('button', { type: 'button', class: 'secondary', onclick: () => attempt(async () => { store.applyAnnotation(store.bookmarks, await api.addBookmark(item.conversationId, item.id, null)); }) }, 'Bookmark'),
      h('button', { type: 'button', class: 'secondary', onclick: () => attempt(async () => { store.applyAnnotation(store.flags, await api.addFlag(item.conversationId, item.id)); }) }, 'Flag for me')),
    item.authorId === api.session?.userId ? ownActions(item) : null);
}

/** Edit (texts) and delete: only on my own messages, as the server allows. */
function ownActions(item: TimelineItem): HTMLElement {
  const edited = h('input', { name: 'edit', required: true, maxlength: '4000', value: item.text ?? '' });
  return h('div', {},
    item.kind === 'Text' ? h('form', {
      class: 'inline', 'aria-label': `Edit message ${item.seq}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        await attempt(async () => { await store.applyLive(await api.editText(item.conversationId, item.id, edited.value.trim())); });
      },
    }, field('Edit text', edited), h('button', { type: 'submit' }, 'Save edit')) : null,
    h('button', {
      type: 'button', class: 'secondary',
      onclick: () => attempt(async () => {
        const tombstone = await api.deleteItem(item.conversationId, item.id);
        if (tombstone) await store.applyLive(tombstone); else await store.sync();
      }),
    }, 'Delete'));
}

function content(item: TimelineItem): HTMLElement {
  if (item.kind === 'Text' || !item.media) return h('p', { class: 'text' }, item.text ?? '');
  const key = `${item.id}:${item.version}`;
  let view = mediaViews.get(key);
  if (!view) mediaViews.set(key, view = mediaView(item));
  return view;
}

function mediaView(item: TimelineItem): HTMLElement {
  if (item.kind === 'Photo' && item.media) {
    const image = h('img', { alt: item.text ? `Photo: ${item.text}` : `Photo from ${nameOf(item.authorId)}`, class: 'thumbnail', loading: 'lazy' });
    const source = item.thumbnail ?? item.media;
    let url = thumbnails.get(source.url);
    if (!url) thumbnails.set(source.url, url = api.blobUrl(source.url));
    void url.then(u => { image.src = u; }).catch(() => { image.alt = 'Photo (not available)'; });
    return h('figure', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); void openFull(item); } }, image),
      item.text ? h('figcaption', {}, item.text) : null);
  }
  if (item.kind === 'VoiceClip' && item.media) {
    const audio = h('audio', { controls: true, preload: 'metadata', 'aria-label': `Voice clip from ${nameOf(item.authorId)}, ${Math.round((item.durationMs ?? 0) / 1000)} seconds` });
    let url = thumbnails.get(item.media.url);
    if (!url) thumbnails.set(item.media.url, url = api.blobUrl(item.media.url));
    void url.then(u => { audio.src = u; }).catch(() => {});
    return h('div', { class: 'voice' }, audio, h('span', { class: 'hint' }, ` ${((item.durationMs ?? 0) / 1000).toFixed(1)} s`));
  }
  return h('p', { class: 'text' }, item.text ?? '');
}

async function openFull(item: TimelineItem) {
  if (!item.media) return;
  window.open(await api.blobUrl(item.media.url), '_blank', 'noopener');
}

function describeSystem(item: TimelineItem): string {
  const who = nameOf(item.subjectUserId);
  switch (item.systemEvent) {
    case 'member-added': return `${who} joined.`;
    case 'member-removed': return `${who} left.`;
    case 'call-started': return 'A call started.';
    case 'call-ended': return 'The call ended.';
    default: return 'Something happened.';
  }
}

async function attempt(action: () => Promise<void>) {
  try { await action(); } catch (error) { showStatus(error instanceof ApiError ? error.message : 'Could not send.'); }
}
