/**
 * Typed publish/subscribe bus between simulated entities and observers (metrics, trace, report).
 * Entities only emit; observers tally. `has(name)` lets an emitter skip building a payload nobody reads.
 *
 * Listener lists are copy-on-write: subscribing or unsubscribing replaces the list (allocates), while
 * `emit` walks the list it started with (allocates nothing). So an observer that unsubscribes itself,
 * or subscribes another one, during an emit does not make another observer miss or get that payload.
 */
export class Hooks<Events extends Record<string, unknown>> {
  private readonly listeners: { [K in keyof Events]?: readonly ((payload: Events[K]) => void)[] } = {};

  /** Subscribes `fn` to `name`; returns a function that removes this subscription (idempotent). */
  on<K extends keyof Events>(name: K, fn: (payload: Events[K]) => void): () => void {
    // a fresh wrapper per subscription, so unsubscribing removes this one even if `fn` is subscribed twice
    const entry = (payload: Events[K]): void => fn(payload);
    this.listeners[name] = [...(this.listeners[name] ?? []), entry];
    return () => {
      const list = this.listeners[name];
      if (list === undefined) return;
      const i = list.indexOf(entry);
      if (i >= 0) this.listeners[name] = [...list.slice(0, i), ...list.slice(i + 1)];
    };
  }

  /** True when at least one observer listens to `name`. */
  has<K extends keyof Events>(name: K): boolean {
    const list = this.listeners[name];
    return list !== undefined && list.length > 0;
  }

  /** Delivers `payload` to every observer of `name` subscribed when the emit began, in subscription order. */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const list = this.listeners[name];
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) list[i]!(payload);
  }
}
