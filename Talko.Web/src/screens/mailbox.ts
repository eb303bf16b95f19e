// The development mailbox: the codes the server would have sent (Development only; the route does not exist elsewhere).
import { api, ApiError } from '../api';
import { h, render } from '../dom';

export async function mailboxScreen(root: HTMLElement) {
  const list = h('ul', { class: 'list', 'aria-label': 'Messages' });
  const refresh = h('button', { type: 'button', onclick: () => { void load(); } }, 'Refresh');
  render(root, h('section', { class: 'card', 'aria-labelledby': 'mailbox-title' },
    h('h1', { id: 'mailbox-title' }, 'Development mailbox'),
    h('p', { class: 'hint' }, 'Sign-in codes the server would have emailed or texted. Only in Development, with no delivery configured.'),
    refresh, list));

  async function load() {
    try {
      const messages = await api.mailbox();
      list.replaceChildren(...(messages.length ? messages.map(m =>
        h('li', { class: 'message' }, h('span', { class: 'to' }, m.to), ' ', h('code', { class: 'code' }, m.code), ' ',
          h('time', { datetime: m.sentAt }, new Date(m.sentAt).toLocaleTimeString()))) : [h('li', {}, 'No codes yet.')]));
    } catch (error) {
      list.replaceChildren(h('li', {}, error instanceof ApiError && error.status === 404 ? 'The mailbox exists only in Development.' : 'Could not load the mailbox.'));
    }
  }
  await load();
}
