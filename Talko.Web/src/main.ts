// Talko Web: a hash router over the screens, and the realtime connection while signed in.
import './styles.css';
import { api } from './api';
import { h } from './dom';
import { connect, disconnect } from './hub';
import { store } from './store';
import { conversationScreen } from './screens/conversation';
import { homeScreen } from './screens/home';
import { mailboxScreen } from './screens/mailbox';
import { signInScreen } from './screens/signin';

const root = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
let leave: (() => void) | void;
let current = 0;

async function route() {
  const generation = ++current;
  leave?.();
  leave = undefined;
  const path = location.hash.replace(/^#/, '') || '/';
  drawNav();
  if (path === '/mailbox') { await mailboxScreen(root); return; }
  if (!api.session) {
    signInScreen(root, () => { if (location.hash === '#/') void route(); else location.hash = '#/'; });
    return;
  }
  void connect();
  const conversation = /^\/c\/([0-9a-f-]{36})$/.exec(path);
  // Each screen draws into its own element, shown only if no other navigation started while it loaded; a screen that
  // lost the race stops listening, so it can never draw over the one the user is looking at.
  const view = h('div');
  const unsubscribe = conversation ? await conversationScreen(view, conversation[1]) : await homeScreen(view);
  if (generation !== current) { unsubscribe(); return; }
  leave = unsubscribe;
  root.replaceChildren(view);
  (view.querySelector<HTMLElement>('[data-autofocus]') ?? root).focus({ preventScroll: true });
}

function drawNav() {
  nav.replaceChildren(api.session
    ? h('button', { type: 'button', class: 'link', onclick: async () => { await api.logout().catch(() => {}); api.signedOut(); } }, 'Sign out')
    : '');
}

api.onSignedOut(() => { void disconnect(); store.forget(); location.hash = '#/'; void route(); });
window.addEventListener('hashchange', () => { void route(); });
void route();
