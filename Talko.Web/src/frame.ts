// Many live events can arrive within one frame (a busy conversation, talking flips in a call); drawing for each one
// would redo style and layout several times per frame for nothing anyone sees.

/** Hidden tabs get no animation frames; a timer still runs there, so side effects of a redraw are not held back. */
const hiddenTabDelayMs = 250;

/** Wraps run so that calls within one frame run it once, at the next frame (or soon after, in a hidden tab). */
export function oncePerFrame(run: () => void): () => void {
  let frame = 0;
  let timer = 0;
  const flush = () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    frame = timer = 0;
    run();
  };
  return () => {
    if (frame || timer) return;
    frame = requestAnimationFrame(flush);
    timer = window.setTimeout(flush, hiddenTabDelayMs);
  };
}
