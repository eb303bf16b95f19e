// The awareness heartbeat (docs/realtime.md): a hub connection that does not call `Heartbeat` within the server's
// DeviceTimeout shows its person offline, so each connection beats at the interval its `ready` event gives, saying how
// long the person has not touched the app (the server turns a long idle into "away").
import type { HubConnection } from '@microsoft/signalr';

let lastTouched = Date.now();
const touched = () => { lastTouched = Date.now(); };
for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) window.addEventListener(type, touched, { capture: true, passive: true });
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') touched(); });

const timers = new WeakMap<HubConnection, number>();

/**
 * Beats for this connection every `intervalMs` (restarted by each `ready`) until it closes. The server answers false
 * when it had dropped the connection as silent (a stalled page): `forgotten` then says the activity again.
 */
export function startHeartbeat(hub: HubConnection, intervalMs: number, forgotten: () => void) {
  stopHeartbeat(hub);
  const every = Number.isFinite(intervalMs) && intervalMs >= 500 ? intervalMs : 4000;
  timers.set(hub, window.setInterval(() => {
    if (hub.state !== 'Connected') return;
    void hub.invoke<boolean>('Heartbeat', Math.floor((Date.now() - lastTouched) / 1000))
      .then(known => { if (known === false) forgotten(); })
      .catch(() => {});
  }, every));
}

export function stopHeartbeat(hub: HubConnection) {
  const timer = timers.get(hub);
  if (timer !== undefined) window.clearInterval(timer);
  timers.delete(hub);
}
