// A one-shot signal whose promise is allocated only if someone waits: idle connections are many, and
// most never wait for their own ack or close.

export class Signal {
  private fired = false;
  private promise: Promise<void> | undefined;
  private resolve: (() => void) | undefined;

  get isFired(): boolean {
    return this.fired;
  }

  fire(): void {
    this.fired = true;
    this.resolve?.();
  }

  wait(): Promise<void> {
    if (this.fired) return Promise.resolve();
    return (this.promise ??= new Promise<void>((resolve) => (this.resolve = resolve)));
  }
}
