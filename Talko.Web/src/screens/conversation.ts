// A conversation's timeline: texts and photos, live, with an unread marker and the read position moved on view.
import { api, ApiError, type TimelineItem } from '../api';
import { field, h, render } from '../dom';
import { nameOf, resolveNames } from '../people';
import { store } from '../store';
import { showStatus } from '../status';

const thumbnails = new Map<string, Promise<string>>();

export async function conversationScreen(root: HTMLElement, conversationId: string): Promise<() => void> {
  await store.sync();
  const conversation = store.conversations.get(conversationId);
  if (!conversation) { render(root, h('p', {}, 'No such conversation.')); return () => {}; }
  const unreadAfter = conversation.lastReadSeq;

  const list = h('ol', { class: 'timeline', 'aria-label': 'Timeline', 'aria-live': 'polite' });
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
  photo.addEventListener('change', async () => {
    const file = photo.files?.[0];
    if (!file) return;
    await attempt(async () => { await store.applyLive(await api.postPhoto(conversationId, file, crypto.randomUUID())); });
    photo.value = '';
  });

  render(root,
    h('p', {}, h('a', { href: '#/' }, '← All conversations')),
    h('h1', {}, conversation.title),
    list,
    composer,
    h('div', { class: 'inline' }, field('Send a photo', photo)));

  let lastMarked = unreadAfter;
  const draw = () => {
    const items = store.timeline(conversationId);
    list.replaceChildren(...items.flatMap(item => [
      item.seq === unreadAfter + 1 && unreadAfter > 0 ? h('li', { class: 'unread-marker', role: 'separator' }, 'New') : null,
      itemView(item),
    ].filter((n): n is HTMLElement => n !== null)));
    void resolveNames().then(arrived => { if (arrived) draw(); });
    const newest = items.length ? items[items.length - 1].seq : 0;
    if (newest > lastMarked && document.visibilityState === 'visible') {
      lastMarked = newest;
      void api.markRead(conversationId, newest).catch(() => {});
    }
  };
  draw();
  return store.subscribe(draw);
}

function itemView(item: TimelineItem): HTMLElement {
  const when = h('time', { datetime: item.createdAt }, new Date(item.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  if (item.kind === 'System') {
    return h('li', { class: 'item system', 'data-seq': String(item.seq) }, `${describeSystem(item)} `, when);
  }
  const body = item.deletedAt ? h('p', { class: 'deleted' }, 'Deleted') : content(item);
  return h('li', { class: 'item', 'data-seq': String(item.seq) },
    h('div', { class: 'meta' }, h('strong', {}, nameOf(item.authorId)), ' ', when, item.editedAt ? ' (edited)' : ''),
    body);
}

function content(item: TimelineItem): HTMLElement {
  if (item.kind === 'Photo' && item.media) {
    const image = h('img', { alt: item.text ? `Photo: ${item.text}` : `Photo from ${nameOf(item.authorId)}`, class: 'thumbnail', loading: 'lazy' });
    const source = item.thumbnail ?? item.media;
    let url = thumbnails.get(source.url);
    if (!url) thumbnails.set(source.url, url = api.blobUrl(source.url));
    void url.then(u => { image.src = u; }).catch(() => { image.alt = 'Photo (not available)'; });
    return h('figure', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); void openFull(item); } }, image),
      item.text ? h('figcaption', {}, item.text) : null);
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
