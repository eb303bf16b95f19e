// Sign in with an email code; a first-time user then picks a display name.
import { api, ApiError } from '../api';
import { field, h, render } from '../dom';
import { showStatus } from '../status';

export function signInScreen(root: HTMLElement, done: () => void) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const form = h('form', {
    class: 'card', 'aria-labelledby': 'signin-title',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        await api.startSignIn(email.value.trim());
        codeStep(root, email.value.trim(), done);
      } catch (error) { showStatus(error instanceof ApiError ? error.message : 'Could not send a code.'); }
    },
  },
  h('h1', { id: 'signin-title' }, 'Sign in to Talko'),
  field('Email address', email),
  h('button', { type: 'submit' }, 'Send me a code'),
  h('p', { class: 'hint' }, 'Running locally? Codes appear in the ', h('a', { href: '#/mailbox', target: '_blank' }, 'development mailbox'), '.'));
  render(root, form);
  email.focus();
}

function codeStep(root: HTMLElement, identifier: string, done: () => void) {
  const code = h('input', { inputmode: 'numeric', autocomplete: 'one-time-code', name: 'code', required: true, pattern: '[0-9]{4,10}' });
  const form = h('form', {
    class: 'card', 'aria-labelledby': 'code-title',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        const session = await api.verify(identifier, code.value.trim());
        api.signedIn(session);
        const me = await api.me();
        if (!me.displayName) profileStep(root, done); else done();
      } catch (error) { showStatus(error instanceof ApiError ? error.message : 'That code did not work.'); }
    },
  },
  h('h1', { id: 'code-title' }, 'Enter your code'),
  h('p', {}, `We sent a code to ${identifier}.`),
  field('Code', code),
  h('button', { type: 'submit' }, 'Sign in'));
  render(root, form);
  code.focus();
}

function profileStep(root: HTMLElement, done: () => void) {
  const name = h('input', { name: 'displayName', autocomplete: 'name', required: true, maxlength: '64' });
  const form = h('form', {
    class: 'card', 'aria-labelledby': 'profile-title',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try { await api.setDisplayName(name.value.trim()); done(); } catch (error) { showStatus(error instanceof ApiError ? error.message : 'Could not save.'); }
    },
  },
  h('h1', { id: 'profile-title' }, 'What should your team call you?'),
  field('Display name', name),
  h('button', { type: 'submit' }, 'Continue'));
  render(root, form);
  name.focus();
}
