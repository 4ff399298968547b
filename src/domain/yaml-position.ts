// Line numbers of values in a parsed YAML document, so every problem can be reported as file:line.
import { isMap, isSeq, type LineCounter, type Node } from 'yaml';

/** The 1-based line of the node at `keys`, or of the nearest ancestor that exists. */
export function lineOf(
  root: Node | null,
  keys: readonly (string | number)[],
  counter: LineCounter,
): number | null {
  let node: unknown = root;
  let line: number | null = root?.range ? counter.linePos(root.range[0]).line : null;
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      if (keyNode?.range) line = counter.linePos(keyNode.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      const n = node as Node | undefined;
      if (n?.range) line = counter.linePos(n.range[0]).line;
    } else break;
  }
  return line;
}
