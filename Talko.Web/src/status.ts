// One polite live region for short messages (errors, connectivity), read out by screen readers.
let timer: number | undefined;

export function showStatus(message: string) {
  const status = document.getElementById('status')!;
  status.textContent = message;
  window.clearTimeout(timer);
  timer = window.setTimeout(() => { status.textContent = ''; }, 6000);
}
