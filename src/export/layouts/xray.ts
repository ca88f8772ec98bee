// Values of projection X-ray events that exports show the way physicists write them: filter
// and anode materials as element symbols, per-pulse readings as their mean.
import type { ProjectionEvent, XrayFilter } from '../../report/types.js';
import { formatNumber } from '../../query/units.js';
import { meanOfReadings } from '../cells.js';

/** Element symbols of the materials X-ray filters and anodes are made of, by the start of the code meaning. */
const ELEMENTS: readonly (readonly [string, string])[] = [
  ['aluminum', 'Al'],
  ['aluminium', 'Al'],
  ['copper', 'Cu'],
  ['tantalum', 'Ta'],
  ['molybdenum', 'Mo'],
  ['rhodium', 'Rh'],
  ['silver', 'Ag'],
  ['niobium', 'Nb'],
  ['europium', 'Eu'],
  ['lead', 'Pb'],
  ['tungsten', 'W'],
  ['tin', 'Sn'],
  ['titanium', 'Ti'],
];

/** "Molybdenum or Molybdenum compound" → "Mo"; a material not listed stays as recorded. */
export function elementSymbol(material: string | null | undefined): string | null {
  if (!material) return null;
  const m = material.trim().toLowerCase();
  return ELEMENTS.find(([name]) => m.startsWith(name))?.[1] ?? material;
}

/** A filter by its material; one the report says is no filter at all is "none", one of unknown material is named by its type. */
function filterName(f: XrayFilter): string {
  const symbol = elementSymbol(f.material);
  if (symbol) return symbol;
  if (/^no filter/i.test(f.type?.trim() ?? '')) return 'none';
  return f.type?.trim() || '?';
}

/** Filter materials of an event, "Cu | Al". */
export function filterMaterials(filters: readonly XrayFilter[] | undefined): string | null {
  const list = (filters ?? []).map(filterName);
  return list.length ? list.join(' | ') : null;
}

/** Mean thickness (mm) of each filter, in the order of filterMaterials: "0.1 | 1". */
export function filterThicknesses(filters: readonly XrayFilter[] | undefined): string | null {
  const list = (filters ?? []).map((f) => {
    const bounds = [f.thicknessMinimumMm, f.thicknessMaximumMm].filter((v): v is number => typeof v === 'number');
    return bounds.length ? formatNumber(bounds.reduce((a, b) => a + b, 0) / bounds.length) : '';
  });
  return list.some(Boolean) ? list.join(' | ') : null;
}

export function kvpOf(e: ProjectionEvent): number | null {
  return e.kvp ?? meanOfReadings(e.kvps);
}

export function tubeCurrentOf(e: ProjectionEvent): number | null {
  return e.xrayTubeCurrentMa ?? e.averageXrayTubeCurrentMa ?? meanOfReadings(e.xrayTubeCurrents);
}

export function pulseWidthOf(e: ProjectionEvent): number | null {
  return e.pulseWidthMs ?? meanOfReadings(e.pulseWidths);
}

export function exposureOf(e: ProjectionEvent): number | null {
  return e.exposureUAs ?? meanOfReadings(e.exposures);
}
