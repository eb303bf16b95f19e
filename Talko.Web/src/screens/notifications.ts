// My notifications, newest first: what happened while I was away.
import { api, ApiError } from '../api';
import { h, render } from '../dom';
import { showStatus } from '../status';

export async function notificationsScreen(root: HTMLElement): Promise<() => void> {
  const list = h('ul', { class: 'list notifications', 'aria-label': 'Notifications' });
  const markAll = h('button', { type: 'button', class: 'secondary' }, 'Mark all read');
  const load = async () => {
    const { items, unreadCount } = await api.notifications();
    markAll.disabled = unreadCount === 0;
    list.replaceChildren(...(items.length ? items.map(n => h('li', { class: n.read ? 'read' : 'unread' },
      n.read ? null : h('span', { class: 'visually-hidden' }, 'Unread: '),
      n.conversationId ? h('a', { href: `#/c/${n.conversationId}` }, n.title ?? n.kind) : h('strong', {}, n.title ?? n.kind),
      n.body ? h('span', {}, ` ${n.body}`) : null,
      h('time', { datetime: n.createdAt }, ` ${new Date(n.createdAt).toLocaleString()}`))) : [h('li', {}, 'Nothing new.')]));
  };
  markAll.addEventListener('click', async () => {
    try { await api.markAllNotificationsRead(); await load(); } catch (error) { showStatus(error instanceof ApiError ? error.message : 'Could not mark them read.'); }
  });
  render(root, h('div', { class: 'inline header' }, h('h1', {}, 'Notifications'), markAll), list);
  await load();
  return () => {};
}
