// Search my conversations by title or tag, and items by text or tag.
import { api, ApiError } from '../api';
import { field, h, render } from '../dom';
import { nameOf, resolveNames } from '../people';
import { store } from '../store';

export async function searchScreen(root: HTMLElement): Promise<() => void> {
  const query = h('input', { type: 'search', name: 'q', required: true, maxlength: '200', 'data-autofocus': true });
  const results = h('section', { 'aria-label': 'Results', 'aria-live': 'polite' });
  const form = h('form', {
    class: 'card inline', role: 'search',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        const found = await api.search(query.value.trim());
        await store.sync();
        await resolveNames();
        results.replaceChildren(
          h('h2', {}, 'Conversations'),
          found.conversations.length
            ? h('ul', { class: 'list' }, ...found.conversations.map(c => h('li', {}, h('a', { href: `#/c/${c.id}` }, c.title))))
            : h('p', {}, 'No conversations match.'),
          h('h2', {}, 'Messages'),
          found.items.length
            ? h('ul', { class: 'list' }, ...found.items.map(i => h('li', {},
              h('a', { href: `#/c/${i.conversationId}` }, `${nameOf(i.authorId)} in ${store.conversations.get(i.conversationId)?.title ?? 'a conversation'}: `),
              h('span', {}, i.text ?? ''))))
            : h('p', {}, 'No messages match.'));
      } catch (error) {
        results.replaceChildren(h('p', {}, error instanceof ApiError ? error.message : 'Search failed.'));
      }
    },
  }, field('Search for words or #tags', query), h('button', { type: 'submit' }, 'Search'));
  render(root, h('h1', {}, 'Search'), form, results);
  return () => {};
}
