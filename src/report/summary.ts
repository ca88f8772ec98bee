// Study-level totals derived from a report. Stored as study columns so list pages, filters
// and charts never re-aggregate events.
import type { DoseReport, ProjectionAccumulated, ProjectionDose, ProjectionEvent, StudySummary } from './types.js';
import { withoutFloatNoise } from './float-noise.js';

function sum(values: (number | null | undefined)[]): number | null {
  let total = 0;
  let any = false;
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) {
      total += v;
      any = true;
    }
  }
  return any ? withoutFloatNoise(total) : null;
}

const CT_TYPE_COUNTS: Record<string, keyof StudySummary> = {
  'sequenced acquisition': 'numberOfAxial',
  'spiral acquisition': 'numberOfSpiral',
  'stationary acquisition': 'numberOfStationary',
  'constant angle acquisition': 'numberOfConstAngle',
};

export function summarise(report: DoseReport): StudySummary {
  if (report.ct) return summariseCt(report);
  if (report.projection) return summariseProjection(report);
  if (report.nm) {
    return { numberOfEvents: report.nm.administration ? 1 : 0, totalAdministeredActivityMBq: report.nm.administration?.administeredActivityMBq ?? null };
  }
  return {};
}

function summariseCt(report: DoseReport): StudySummary {
  const ct = report.ct!;
  const out: StudySummary = {
    numberOfEvents: ct.events.length,
    numberOfAxial: 0,
    numberOfSpiral: 0,
    numberOfStationary: 0,
    numberOfConstAngle: 0,
    totalDlpMGyCm: ct.totalDlpMGyCm ?? sum(ct.events.map((e) => e.dlpMGyCm)),
  };
  for (const e of ct.events) {
    const key = CT_TYPE_COUNTS[(e.acquisitionType ?? '').toLowerCase()];
    if (key) (out[key] as number)++;
  }
  return out;
}

/** Plane of an event or accumulation: "Plane B" is B, everything else (single plane, plane A) is A. */
export function planeOf(acquisitionPlane: string | null | undefined): 'A' | 'B' {
  return /plane\s*b/i.test(acquisitionPlane ?? '') ? 'B' : 'A';
}

/** Breast of a laterality as RDSRs code it: "Left breast" / "Left", "Right breast" / "Right", "Both breasts". */
function breastOf(laterality: string | null | undefined): 'left' | 'right' | 'both' | null {
  const l = (laterality ?? '').trim().toLowerCase();
  if (l.startsWith('left') || l === 'l') return 'left';
  if (l.startsWith('right') || l === 'r') return 'right';
  if (l.startsWith('both') || l.startsWith('bilateral') || l === 'b') return 'both';
  return null;
}

/**
 * Average glandular dose per breast: the accumulated dose the device reports per breast
 * (TID 10005), or where it reports none, the sum over the events of that breast.
 */
function summariseMammography(proj: ProjectionDose, out: StudySummary): void {
  const accumulated = proj.accumulated.flatMap((a) => a.mammography ?? []);
  const total = (breast: 'left' | 'right' | 'both') =>
    accumulated.length > 0
      ? sum(accumulated.filter((m) => breastOf(m.laterality) === breast).map((m) => m.accumulatedAverageGlandularDoseMGy))
      : sum(proj.events.filter((e) => breastOf(e.laterality) === breast).map((e) => e.averageGlandularDoseMGy));
  out.totalAgdLeftMGy = total('left');
  out.totalAgdRightMGy = total('right');
  out.totalAgdBothMGy = total('both');
}

/**
 * Accumulated records per plane. An "All Planes" record next to plane records would count
 * the dose twice and is left out, as is a record repeated whole; two records naming the same
 * plane are the two planes in report order.
 */
function accumulatedByPlane(accumulated: readonly ProjectionAccumulated[]): Map<'A' | 'B', ProjectionAccumulated[]> {
  const perPlane = accumulated.filter((a) => !/all\s*planes/i.test(a.acquisitionPlane ?? ''));
  // A record repeated whole is one record written twice, not a second plane (whose totals never equal the first's).
  const seen = new Set<string>();
  const records = (perPlane.length > 0 ? perPlane : accumulated).filter((a) => {
    const key = JSON.stringify(a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const out = new Map<'A' | 'B', ProjectionAccumulated[]>();
  for (const a of records) {
    let plane = planeOf(a.acquisitionPlane);
    const other = plane === 'A' ? 'B' : 'A';
    if (out.has(plane) && !out.has(other)) plane = other;
    out.set(plane, [...(out.get(plane) ?? []), a]);
  }
  return out;
}

/** Each plane with an accumulated record or an event: its records and its events. */
function planeRecords(proj: ProjectionDose): { plane: 'A' | 'B'; accumulated: ProjectionAccumulated[]; events: ProjectionEvent[] }[] {
  const accumulated = accumulatedByPlane(proj.accumulated);
  return (['A', 'B'] as const)
    .map((plane) => ({ plane, accumulated: accumulated.get(plane) ?? [], events: proj.events.filter((e) => planeOf(e.acquisitionPlane) === plane) }))
    .filter((p) => p.accumulated.length > 0 || p.events.length > 0);
}

function accumulatedDap(a: ProjectionAccumulated): number | null {
  return a.integratedProjection?.doseAreaProductTotalGym2 ?? a.doseAreaProductTotalGym2 ?? sum([a.fluoroDoseAreaProductTotalGym2, a.acquisitionDoseAreaProductTotalGym2]);
}

function accumulatedRpDose(a: ProjectionAccumulated): number | null {
  return a.integratedProjection?.doseRpTotalGy ?? a.doseRpTotalGy ?? sum([a.fluoroDoseRpTotalGy, a.acquisitionDoseRpTotalGy]);
}

/**
 * Totals per plane: the device's accumulated totals (TID 10007, else the fluoroscopy plus
 * acquisition totals of TID 10004), or where a plane has none, the sum of its events.
 */
function summariseProjection(report: DoseReport): StudySummary {
  const proj = report.projection!;
  const out: StudySummary = { numberOfEvents: proj.events.length };
  if (report.modality === 'MG') {
    summariseMammography(proj, out);
    return out;
  }
  const planes = planeRecords(proj);
  out.numberOfPlanes = planes.length > 0 ? planes.length : null;
  for (const { plane, accumulated, events } of planes) {
    const dap = sum(accumulated.map(accumulatedDap)) ?? sum(events.map((e) => e.doseAreaProductGym2));
    const rp = sum(accumulated.map(accumulatedRpDose)) ?? sum(events.map((e) => e.doseRpGy));
    if (plane === 'A') {
      out.totalDapAGym2 = dap;
      out.totalRpDoseAGy = rp;
    } else {
      out.totalDapBGym2 = dap;
      out.totalRpDoseBGy = rp;
    }
  }
  out.totalDapGym2 = sum([out.totalDapAGym2, out.totalDapBGym2]);
  return out;
}

function shortfall(what: string, values: readonly (number | null | undefined)[]): string | null {
  const missing = values.filter((v) => v === null || v === undefined).length;
  if (missing === 0 || missing === values.length) return null;
  return `${what} is the sum of ${values.length - missing} of ${values.length} events: ${missing} ${missing === 1 ? 'has' : 'have'} none`;
}

/**
 * Study totals summed from events where the report gives none, while some events lack the
 * value: the total is then short of what the study received, which its warnings say.
 */
export function incompleteTotals(report: DoseReport): string[] {
  const out: (string | null)[] = [];
  if (report.ct && report.ct.totalDlpMGyCm == null) out.push(shortfall('The total DLP', report.ct.events.map((e) => e.dlpMGyCm)));
  const proj = report.projection;
  if (proj && report.modality !== 'MG') {
    const planes = planeRecords(proj);
    for (const { plane, accumulated, events } of planes) {
      const name = planes.length > 1 ? ` of plane ${plane}` : '';
      if (sum(accumulated.map(accumulatedDap)) === null) out.push(shortfall(`The total DAP${name}`, events.map((e) => e.doseAreaProductGym2)));
      if (sum(accumulated.map(accumulatedRpDose)) === null) out.push(shortfall(`The total dose at the reference point${name}`, events.map((e) => e.doseRpGy)));
    }
  }
  return out.filter((n): n is string => n !== null);
}
