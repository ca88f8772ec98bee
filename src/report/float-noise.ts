// Sums, means and unit conversions of decimal values leave binary noise behind (34.09 kV and
// 33.99 kV average to 34.040000000000006). Twelve significant digits lie far beyond what any
// device measures and drop it, so values are stored, shown and exported as they were meant.
export function withoutFloatNoise(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(12)) : x;
}
