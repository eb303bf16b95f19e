// Groups and their conversations with unread counts; create a group, invite by email, start a conversation.
import { api, ApiError, type GroupView } from '../api';
import { field, h, keepTyped, render } from '../dom';
import { store } from '../store';
import { showStatus } from '../status';

export async function homeScreen(root: HTMLElement): Promise<() => void> {
  let groups: GroupView[] = [];
  const draw = () => {
    const sections = groups.map(g => groupSection(g, () => { void reload(); }));
    const newGroup = h('input', { name: 'groupName', required: true, maxlength: '100' });
    const restoreTyped = keepTyped(root);
    render(root,
      h('h1', {}, 'Your groups'),
      ...(sections.length ? sections : [h('p', {}, 'No groups yet: create one for your team.')]),
      h('form', {
        class: 'card inline', 'aria-label': 'Create a group',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          await attempt(async () => { await api.createGroup(newGroup.value.trim()); newGroup.value = ''; await reload(); });
        },
      }, field('New group name', newGroup), h('button', { type: 'submit' }, 'Create group')));
    restoreTyped();
  };
  const reload = async () => { groups = await api.groups(); await store.sync(); draw(); };
  await reload();
  return store.subscribe(draw);
}

function groupSection(group: GroupView, reload: () => void): HTMLElement {
  const conversations = [...store.conversations.values()].filter(c => c.groupId === group.id && !c.archivedAt)
    .sort((a, b) => a.title.localeCompare(b.title));
  const invitee = h('input', { type: 'email', name: 'invite', required: true });
  const title = h('input', { name: 'title', required: true, maxlength: '200' });
  const headingId = `group-${group.id}`;
  return h('section', { class: 'card group', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, group.name),
    h('ul', { class: 'list', 'aria-label': `Conversations in ${group.name}` }, ...conversations.map(c =>
      h('li', {}, h('a', { href: `#/c/${c.id}` }, c.title), c.unreadCount > 0 ? h('span', { class: 'badge', 'aria-label': `${c.unreadCount} unread` }, String(c.unreadCount)) : null))),
    h('form', {
      class: 'inline', 'aria-label': `Start a conversation in ${group.name}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        await attempt(async () => { const c = await api.createConversation(group.id, title.value.trim()); await store.sync(); location.hash = `#/c/${c.id}`; });
      },
    }, field('New conversation', title), h('button', { type: 'submit' }, 'Start')),
    group.myRole === 'Member' ? null : h('form', {
      class: 'inline', 'aria-label': `Invite to ${group.name}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        await attempt(async () => { await api.invite(group.id, invitee.value.trim()); invitee.value = ''; showStatus('Invited.'); reload(); });
      },
    }, field('Invite by email', invitee), h('button', { type: 'submit' }, 'Invite')));
}

async function attempt(action: () => Promise<void>) {
  try { await action(); } catch (error) { showStatus(error instanceof ApiError ? error.message : 'Something went wrong.'); }
}
