/**
 * Runs async tasks one at a time, in the order they were queued. The sidecar scores each request
 * in one such task: scoring hands the event loop back between events (health probes, sockets and
 * the decoding of other requests go on), yet one request's detector effects and alerts stay
 * contiguous and in arrival order, as when scoring was one synchronous call.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
