// The recording of a call with its timeline drawn under it: who talked when, joins and leaves, texts, photos, tags and
// bookmarks as markers; choosing a marker jumps the player there.
import { api, ApiError, type CallMarker } from '../api';
import { h, render } from '../dom';
import { nameOf, resolveNames } from '../people';
import { store } from '../store';

export async function playerScreen(root: HTMLElement, callId: string): Promise<() => void> {
  let closed = false;
  try {
    const [call, timeline] = await Promise.all([api.call(callId), api.callTimeline(callId)]);
    await store.sync();
    await resolveNames();
    const markers = timeline.markers.filter(m => m.kind !== 'talker' || (m.endMs ?? m.offsetMs) > m.offsetMs);
    markers.forEach(m => nameOf(m.userId));
    await resolveNames();
    const audio = h('audio', { controls: true, preload: 'metadata', 'aria-label': 'Call recording' });
    // Streamed: the element reads the recording through Range requests on a signed URL (ADR 0813), so it starts at
    // once and a seek fetches only where it lands. The URL lives a few minutes; when a request fails after that, a new
    // one is fetched and playback goes on from where it was.
    audio.src = (await api.recordingPlayback(callId)).url;
    // Only a URL that worked is renewed: a recording that cannot play at all must not loop here.
    let worked = false;
    let renewing = false;
    audio.addEventListener('loadedmetadata', () => { worked = true; });
    audio.addEventListener('error', async () => {
      if (closed || renewing || !worked) return;
      renewing = true;
      worked = false;
      const at = audio.currentTime;
      const playing = !audio.paused;
      try {
        audio.src = (await api.recordingPlayback(callId)).url;
        audio.addEventListener('loadedmetadata', () => {
          audio.currentTime = at;
          if (playing) void audio.play();
        }, { once: true });
      } catch {
        // Signed out or no longer a member: the element shows its own error.
      } finally {
        renewing = false;
      }
    });
    const duration = Math.max(timeline.durationMs, 1);
    const jump = (m: CallMarker) => { audio.currentTime = m.offsetMs / 1000; };
    const bar = h('div', { class: 'track', role: 'group', 'aria-label': 'Recording timeline' },
      ...markers.map(m => {
        const mark = h('button', {
          type: 'button', class: `mark ${m.kind}`, title: describe(m), 'aria-label': describe(m), onclick: () => jump(m),
        });
        mark.style.left = `${(m.offsetMs / duration) * 100}%`;
        if (m.endMs !== null && m.kind === 'talker') mark.style.width = `${Math.max(0.5, ((m.endMs - m.offsetMs) / duration) * 100)}%`;
        return mark;
      }));
    const conversation = store.conversations.get(call.conversationId);
    render(root,
      h('p', {}, h('a', { href: `#/c/${call.conversationId}` }, `← ${conversation?.title ?? 'Conversation'}`)),
      h('h1', {}, 'Call recording'),
      h('p', { class: 'hint' }, `${call.state === 'Live' ? 'Live call' : 'Ended call'}, ${formatTime(timeline.durationMs)} recorded.`),
      audio,
      bar,
      h('ol', { class: 'list markers', 'aria-label': 'Markers' }, ...markers.map(m =>
        h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => jump(m) }, describe(m))))));
  } catch (error) {
    render(root, h('p', {}, error instanceof ApiError && error.status === 404 ? 'No such call.' : 'The recording could not be loaded.'));
  }
  return () => { closed = true; };
}

function describe(m: CallMarker): string {
  const at = formatTime(m.offsetMs);
  const who = nameOf(m.userId);
  switch (m.kind) {
    case 'talker': return `${at} ${who} talking`;
    case 'join': return `${at} ${who} joined`;
    case 'leave': return `${at} ${who} left`;
    case 'text': return `${at} ${who} wrote`;
    case 'photo': return `${at} ${who} shared a photo`;
    case 'voiceClip': return `${at} ${who} sent a voice clip`;
    case 'tag': return `${at} #${m.tag ?? ''}`;
    case 'bookmark': return `${at} Bookmark${m.note ? `: ${m.note}` : ''}`;
    default: return `${at} ${m.kind}`;
  }
}

function formatTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
