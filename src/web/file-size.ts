// File sizes as every page shows them: one convention, binary multiples named as such (KiB,
// MiB, GiB; 1 KiB = 1024 bytes), and exact bytes below 1 KiB, so a small file never reads as
// larger than it is.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 132 → "132 bytes", 1536 → "1.5 KiB", 536870912 → "512 MiB". */
export function fileSizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1024;
  let unit = 0;
  // Rounded as shown, so 1023.96 KiB reads "1 MiB", not "1024 KiB".
  const shown = (v: number) => Number(v.toFixed(v < 10 ? 1 : 0));
  while (shown(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${shown(value)} ${UNITS[unit]}`;
}
