// Input checks shared by the statistics functions: a NaN or Infinity in a sample would silently poison
// every rank and median downstream, so reject it with a message that names the caller and the index.

export function assertFiniteSample(xs: readonly number[], what: string): void {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RangeError(`${what}: expected finite numbers, got ${String(x)} at index ${i}`);
    }
  }
}

export function assertNonEmpty(xs: readonly number[], what: string): void {
  if (xs.length === 0) throw new RangeError(`${what}: expected at least one value, got an empty sample`);
}

export function assertLevel(level: number, what: string): void {
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`${what}: confidence level must be strictly between 0 and 1, got ${level}`);
  }
}

export function sortedCopy(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}
