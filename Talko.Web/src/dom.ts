// Building elements without innerHTML, so nothing a user typed is ever parsed as markup.
type Attributes = Record<string, string | boolean | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** A labelled input: every control has a visible label. */
export function field(label: string, input: HTMLInputElement): HTMLElement {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

export function render(root: HTMLElement, ...children: Node[]) {
  root.replaceChildren(...children);
}

/**
 * Makes parent's children the given ones, touching only what differs: a row no longer wanted is removed and a new one
 * inserted where it belongs, while rows in both stay where they are (never taken out and put back, which would cost a
 * layout and lose their focus). A list that grew at its end, the usual change to a timeline, gets its new rows appended.
 */
export function updateChildren(parent: HTMLElement, children: Node[]) {
  const wanted = new Set(children);
  children.forEach((child, i) => {
    let present: ChildNode | null = parent.childNodes[i] ?? null;
    while (present && present !== child && !wanted.has(present)) {
      present.remove();
      present = parent.childNodes[i] ?? null;
    }
    if (present !== child) parent.insertBefore(child, present);
  });
  while (parent.childNodes.length > children.length) parent.lastChild!.remove();
}

/** Calls draw only when key differs from the one it was last called with: a redraw that would change nothing is skipped. */
export function whenChanged<T>(draw: (value: T) => void): (key: string, value: T) => void {
  let last: string | null = null;
  return (key, value) => {
    if (key === last) return;
    last = key;
    draw(value);
  };
}

/**
 * What the user typed into the named inputs under root, and which of them had the focus: a screen that redraws on
 * every live event takes this before the redraw and calls the returned step after, so an event arriving while someone
 * types never wipes their words. Inputs are told apart by their form's label and their name.
 */
export function keepTyped(root: HTMLElement): () => void {
  const key = (input: HTMLInputElement | HTMLTextAreaElement) => `${input.form?.getAttribute('aria-label') ?? ''}\u0000${input.name}`;
  const inputs = () => [...root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[name], textarea[name]')].filter(i => i.type !== 'file');
  const typed = new Map(inputs().filter(i => i.value !== '').map(i => [key(i), i.value]));
  const focused = document.activeElement instanceof HTMLInputElement || document.activeElement instanceof HTMLTextAreaElement ? document.activeElement : null;
  const focusedKey = focused && root.contains(focused) ? key(focused) : null;
  const selection = focused ? [focused.selectionStart, focused.selectionEnd] as const : null;
  return () => {
    for (const input of inputs()) {
      const value = typed.get(key(input));
      if (value !== undefined && input.value === '') input.value = value;
      if (focusedKey !== null && key(input) === focusedKey) {
        input.focus();
        if (selection && selection[0] !== null && input.type !== 'email') input.setSelectionRange(selection[0], selection[1]);
      }
    }
  };
}
