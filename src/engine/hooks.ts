/**
 * Typed publish/subscribe bus between simulated entities and observers (metrics, trace, report).
 * Entities only emit; observers tally. `has(name)` lets an emitter skip building a payload nobody reads.
 */
export class Hooks<Events extends Record<string, unknown>> {
  private readonly listeners: { [K in keyof Events]?: ((payload: Events[K]) => void)[] } = {};

  /** Subscribes `fn` to `name`; returns a function that unsubscribes it. */
  on<K extends keyof Events>(name: K, fn: (payload: Events[K]) => void): () => void {
    const list = (this.listeners[name] ??= []);
    list.push(fn);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** True when at least one observer listens to `name`. */
  has<K extends keyof Events>(name: K): boolean {
    const list = this.listeners[name];
    return list !== undefined && list.length > 0;
  }

  /** Delivers `payload` to every observer of `name`, in subscription order. */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const list = this.listeners[name];
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) list[i]!(payload);
  }
}
