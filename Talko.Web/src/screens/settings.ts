// Settings: my display name and do-not-disturb hours (pushes are silent in them).
import { api, ApiError } from '../api';
import { field, h, render } from '../dom';
import { showStatus } from '../status';

export async function settingsScreen(root: HTMLElement): Promise<() => void> {
  const [me, preferences] = await Promise.all([api.me(), api.preferences()]);
  const name = h('input', { name: 'displayName', required: true, maxlength: '64', value: me.displayName ?? '' });
  const quietFrom = h('input', { type: 'time', name: 'quietFrom', value: preferences.quietFrom?.slice(0, 5) ?? '' });
  const quietUntil = h('input', { type: 'time', name: 'quietUntil', value: preferences.quietUntil?.slice(0, 5) ?? '' });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  render(root,
    h('h1', {}, 'Settings'),
    h('form', {
      class: 'card', 'aria-label': 'Profile',
      onsubmit: async (e: Event) => { e.preventDefault(); await save(() => api.setDisplayName(name.value.trim()), 'Name saved.'); },
    }, field('Display name', name), h('button', { type: 'submit' }, 'Save name')),
    h('form', {
      class: 'card', 'aria-label': 'Do not disturb',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const off = !quietFrom.value && !quietUntil.value;
        await save(() => api.setPreferences({ quietFrom: off ? null : quietFrom.value, quietUntil: off ? null : quietUntil.value, timeZone: zone }),
          off ? 'Do not disturb is off.' : 'Do not disturb saved.');
      },
    },
    h('h2', {}, 'Do not disturb'),
    h('p', { class: 'hint' }, `Pushes arrive silently between these times (${zone}). Leave both empty to turn it off.`),
    h('div', { class: 'inline' }, field('From', quietFrom), field('Until', quietUntil)),
    h('button', { type: 'submit' }, 'Save hours')));
  return () => {};
}

async function save(action: () => Promise<unknown>, done: string) {
  try { await action(); showStatus(done); } catch (error) { showStatus(error instanceof ApiError ? error.message : 'Could not save.'); }
}
