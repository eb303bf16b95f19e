// The call part of a conversation screen: start or join its live call, then a bar with mute and leave, and who is in
// the call with a talking indicator that follows `callUpdated` and `awareness` events.
import { api, ApiError, type CallView, type TimelineItem } from '../api';
import { activeCall, CallError, joinCall, leaveCall, onCallChanged, setMuted, takeDropped, type ActiveCall } from '../call';
import { h, whenChanged } from '../dom';
import { nameOf } from '../people';
import { showStatus } from '../status';
import { store } from '../store';

/** Returns the section and its redraw; the caller redraws it with the rest of the screen and calls dispose on leaving. */
export function callSection(conversationId: string): { element: HTMLElement; draw: () => void; dispose: () => void } {
  const element = h('section', { class: 'call card', 'aria-label': 'Call' });
  const header = h('div', { class: 'inline header' });
  const inCall = h('div');
  element.append(header, inCall);
  let busy = false;
  const looked = new Set<string>();

  // Busy controls are aria-disabled rather than disabled, so the focus stays on them (act ignores them meanwhile).
  const act = async (action: () => Promise<void>) => {
    if (busy) return;
    busy = true;
    draw();
    try { await action(); } catch (error) {
      showStatus(error instanceof CallError ? error.message
        : error instanceof ApiError ? startRefusal(error) : 'The call could not be joined.');
    } finally { busy = false; draw(); }
  };

  const start = () => act(async () => {
    let call: CallView;
    try {
      call = await api.startCall(conversationId);
    } catch (error) {
      // Someone started one a moment ago: join theirs.
      const live = error instanceof ApiError && error.reason === 'call_live' ? /[0-9a-f-]{36}/.exec(error.detail ?? '')?.[0] : undefined;
      if (!live) throw error;
      call = await api.call(live);
    }
    store.applyCall(call);
    await joinCall(call.id, conversationId);
  });

  const draw = () => {
    if (takeDropped()) showStatus('The connection dropped, and the call with it. Join again.');
    discover(conversationId, looked);
    const call = store.liveCall(conversationId);
    const mine = activeCall();
    const inThisCall = mine !== null && call !== undefined && mine.callId === call.id;
    if (mine && call === undefined && mine.conversationId === conversationId && store.calls.get(mine.callId)?.state === 'ended') void leaveCall();
    // Awareness and talking changes call this many times a second in a busy call. The controls are built again only
    // when they change: a button replaced between a person's mouse-down and mouse-up never gets the click, so a talking
    // flip must not rebuild the microphone toggle someone is pressing. Who is in the call redraws on its own.
    drawControlsIfChanged(JSON.stringify([call?.id, inThisCall, busy, inThisCall && mine.muted, inThisCall && mine.connection]),
      { call, mine: inThisCall ? mine : null });
    const people = call ? whoIsIn(call) : null;
    drawPeopleIfChanged(JSON.stringify(people), people);
  };

  const drawControls = (call: CallView | undefined, mine: ActiveCall | null) => {
    const controls: HTMLElement[] = [];
    if (!call) {
      controls.push(h('button', { type: 'button', 'data-action': 'call', 'aria-disabled': String(busy), onclick: () => { void start(); } }, 'Start a call'));
    } else if (!mine) {
      controls.push(h('button', { type: 'button', 'data-action': 'call', 'aria-disabled': String(busy), onclick: () => { void act(() => joinCall(call.id, conversationId)); } }, 'Join the call'));
    } else {
      controls.push(
        h('button', {
          type: 'button', class: 'secondary', 'data-action': 'microphone', 'aria-pressed': String(mine.muted), 'aria-disabled': String(busy),
          onclick: () => { void act(() => setMuted(!mine.muted)); },
        }, mine.muted ? 'Turn microphone on' : 'Turn microphone off'),
        h('button', { type: 'button', class: 'danger', 'data-action': 'call', 'aria-disabled': String(busy), onclick: () => { void act(leaveCall); } }, 'Leave call'));
    }
    // A keyboard user's focus stays on the control it was on (start, join and leave share one place, so focus moves on
    // with the call's next step).
    const focused = header.contains(document.activeElement) ? document.activeElement?.getAttribute('data-action') : null;
    header.replaceChildren(
      h('h2', {}, call ? (mine ? 'In the call' : 'A call is on') : 'No call'),
      h('p', { class: 'hint', 'aria-live': 'polite' }, mine ? describeConnection(mine.connection, mine.muted) : ''),
      h('div', { class: 'inline' }, ...controls));
    if (focused) header.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
  };

  const drawControlsIfChanged = whenChanged(({ call, mine }: { call: CallView | undefined; mine: ActiveCall | null }) => drawControls(call, mine));
  const drawPeopleIfChanged = whenChanged((people: InCall[] | null) => inCall.replaceChildren(...(people ? [participants(people)] : [])));

  const unsubscribe = onCallChanged(draw);
  return { element, draw, dispose: unsubscribe };
}

interface InCall { userId: string; name: string; talking: boolean; muted: boolean; }

function whoIsIn(call: CallView): InCall[] {
  return [...new Set(call.participants.map(p => p.userId))].map(userId => {
    const activity = store.awareness.get(userId)?.activity;
    const you = userId === api.session?.userId;
    return {
      userId, name: `${nameOf(userId)}${you ? ' (you)' : ''}`, talking: isTalking(call, userId),
      muted: activity?.kind === 'InCall' && activity.callId === call.id && activity.muted,
    };
  });
}

function participants(people: InCall[]): HTMLElement {
  if (!people.length) return h('p', { class: 'hint' }, 'Nobody is in the call yet.');
  return h('ul', { class: 'participants', 'aria-label': 'In the call' }, ...people.map(p =>
    h('li', { class: p.talking ? 'talking' : '', 'data-user-id': p.userId, 'data-talking': String(p.talking) },
      h('span', { class: 'speaker', 'aria-hidden': 'true' }),
      p.name,
      p.talking ? h('span', { class: 'chip talking-chip' }, 'talking') : null,
      p.muted ? h('span', { class: 'chip' }, 'muted') : null)));
}

/** Talking: the call's own talking set (callUpdated), or the person's awareness in this call (the mixer's detection). */
function isTalking(call: CallView, userId: string): boolean {
  const activity = store.awareness.get(userId)?.activity;
  if (activity?.kind === 'InCall' && activity.callId === call.id) return activity.talking;
  return call.talking.includes(userId);
}

function describeConnection(state: RTCPeerConnectionState, muted: boolean): string {
  const connection = state === 'connected' ? 'Connected' : state === 'failed' || state === 'disconnected' ? 'Connection lost' : 'Connecting…';
  return muted ? `${connection}, your microphone is off.` : `${connection}.`;
}

function startRefusal(error: ApiError): string {
  switch (error.reason) {
    case 'call_unavailable': return 'No server can take a new call right now. Try again in a moment.';
    case 'call_ended': return 'This call has ended.';
    default: return error.status === 404 ? 'This conversation or call is not there any more.' : error.message;
  }
}

/**
 * A call live before this screen opened is known from the timeline: the newest `call-started` item without its
 * `call-ended`. Asked once per call id; `callStarted`/`callEnded` events keep it current afterwards.
 */
function discover(conversationId: string, looked: Set<string>) {
  const items: readonly TimelineItem[] = store.timeline(conversationId);
  const ended = new Set(items.filter(i => i.systemEvent === 'call-ended').map(i => i.callId));
  const started = items.filter(i => i.systemEvent === 'call-started' && i.callId && !ended.has(i.callId)).map(i => i.callId!);
  const newest = started[started.length - 1];
  if (!newest || looked.has(newest) || store.calls.has(newest)) return;
  looked.add(newest);
  void api.call(newest).then(call => store.applyCall(call)).catch(() => {});
}
