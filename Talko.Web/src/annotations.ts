import type { Annotation } from './api';

/**
 * Tags, bookmarks or flags, by id and by the item they are on. The newest version of each wins; a removed one stays as
 * a tombstone, so a late older version cannot bring it back, and is not listed. Every row asks for its item's on
 * every draw, so finding them must not scan all of them.
 */
export class Annotations<T extends Annotation> {
  private readonly byId = new Map<string, T>();
  private readonly byItem = new Map<string, Map<string, T>>();

  /** Keeps `view` unless a newer version of it is known. */
  apply(view: T) {
    const known = this.byId.get(view.id);
    if (known && known.version >= view.version) return;
    this.byId.set(view.id, view);
    if (known?.itemId) this.byItem.get(known.itemId)?.delete(view.id);
    if (!view.itemId) return;
    let onItem = this.byItem.get(view.itemId);
    if (!onItem) this.byItem.set(view.itemId, onItem = new Map());
    onItem.set(view.id, view);
  }

  /** The live ones on one item. */
  on(itemId: string): T[] {
    return [...(this.byItem.get(itemId)?.values() ?? [])].filter(a => !a.removed);
  }

  clear() {
    this.byId.clear();
    this.byItem.clear();
  }
}
