/**
 * Deterministic mutations of known-good inputs for the fast-path property tests: each yields one
 * of `shapes` with one to three characters of `alphabet` inserted, deleted or replaced.
 */
export function* mutated(shapes: readonly string[], alphabet: readonly string[], count: number, seed: number) {
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    let text = shapes[i % shapes.length];
    for (let m = 0, edits = 1 + rand(3); m < edits; m++) {
      const at = rand(text.length + 1);
      const op = rand(3);
      const ch = alphabet[rand(alphabet.length)];
      text =
        op === 0
          ? text.slice(0, at) + ch + text.slice(at)
          : text.slice(0, at) + (op === 1 ? '' : ch) + text.slice(at + 1);
    }
    yield text;
  }
}
