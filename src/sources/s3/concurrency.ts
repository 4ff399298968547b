// Bounded concurrency for listing requests that still gives results in a fixed order, so output is deterministic.

/** Maps `items` with at most `limit` calls in flight; results keep the order of `items`. Stops at the first failure. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const work = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, work));
  return results;
}

/**
 * Yields every item of each source in turn, while up to `window` sources run at once, each fetching at most
 * `ahead` items before they are wanted. Requests overlap; order and memory stay bounded.
 */
export async function* concatReadAhead<T>(
  sources: readonly (() => AsyncIterator<T>)[],
  window: number,
  ahead: number,
): AsyncGenerator<T> {
  const running: ReadAhead<T>[] = [];
  let started = 0;
  for (;;) {
    while (running.length < window && started < sources.length) {
      const source = sources[started++] as () => AsyncIterator<T>;
      running.push(startReadAhead(source(), ahead));
    }
    const head = running.shift();
    if (!head) return;
    yield* drain(head);
  }
}

interface ReadAhead<T> {
  iterator: AsyncIterator<T>;
  pending: Promise<IteratorResult<T>>[];
}

// An async generator queues next() calls and runs them one after another, so this is a prefetch queue.
function startReadAhead<T>(iterator: AsyncIterator<T>, ahead: number): ReadAhead<T> {
  const pending = Array.from({ length: Math.max(1, ahead) }, () => observed(iterator.next()));
  return { iterator, pending };
}

async function* drain<T>({ iterator, pending }: ReadAhead<T>): AsyncGenerator<T> {
  for (;;) {
    const result = await (pending.shift() as Promise<IteratorResult<T>>);
    if (result.done) return;
    pending.push(observed(iterator.next()));
    yield result.value;
  }
}

/** Marks a prefetched promise as handled: its failure surfaces when it is awaited, not as an unhandled rejection. */
function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
