// Row versions for ReplacingMergeTree: the newest write of a key wins when versions are read FINAL.

let last = 0n;

/** Microseconds since the epoch, strictly increasing within this process. */
export function nextVersion(): bigint {
  const now = BigInt(Date.now()) * 1000n;
  last = now > last ? now : last + 1n;
  return last;
}
