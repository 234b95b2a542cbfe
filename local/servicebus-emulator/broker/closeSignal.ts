/**
 * Tells whoever holds on to an entity or store that it was closed (deleted at run time, or the
 * emulator stopping): the AMQP layer detaches the links attached to it, as Service Bus does.
 */
export class CloseSignal {
  private readonly listeners = new Set<() => void>();
  private fired = false;

  get closed(): boolean {
    return this.fired;
  }

  /** Calls `listener` once when closed (at once if already closed); returns a function that forgets it. */
  onClose(listener: () => void): () => void {
    if (this.fired) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of listeners still waiting (so tests can check that closed links leave none behind). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }
}
