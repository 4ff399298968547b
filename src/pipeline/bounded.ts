// Runs an async function over items with at most `concurrency` calls in flight, yielding results in order.
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function* mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<Settled<R>> {
  const inFlight: Promise<Settled<R>>[] = [];
  let next = 0;
  const start = (): void => {
    const item = items[next++] as T;
    inFlight.push(
      fn(item).then(
        (value): Settled<R> => ({ ok: true, value }),
        (error: unknown): Settled<R> => ({ ok: false, error }),
      ),
    );
  };
  while (next < items.length && inFlight.length < Math.max(1, concurrency)) start();
  while (inFlight.length) {
    const result = await (inFlight.shift() as Promise<Settled<R>>);
    if (next < items.length) start();
    yield result;
  }
}
