// Study-level totals derived from a report. Stored as study columns so list pages, filters
// and charts never re-aggregate events.
import type { DoseReport, ProjectionEvent, StudySummary } from './types.js';

function sum(values: (number | null | undefined)[]): number | null {
  let total = 0;
  let any = false;
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) {
      total += v;
      any = true;
    }
  }
  return any ? total : null;
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

function lateralityOf(e: ProjectionEvent): 'left' | 'right' | 'both' | null {
  const l = (e.laterality ?? '').toLowerCase();
  if (l.startsWith('left') || l === 'l') return 'left';
  if (l.startsWith('right') || l === 'r') return 'right';
  if (l.startsWith('both') || l.startsWith('bilateral') || l === 'b') return 'both';
  return null;
}

function summariseProjection(report: DoseReport): StudySummary {
  const proj = report.projection!;
  const events = proj.events;
  const planes = new Set(events.map((e) => planeOf(e.acquisitionPlane)));
  for (const a of proj.accumulated) planes.add(planeOf(a.acquisitionPlane));
  const out: StudySummary = { numberOfEvents: events.length, numberOfPlanes: Math.max(planes.size, proj.accumulated.length > 0 || events.length > 0 ? 1 : 0) };

  if (report.modality === 'MG') {
    out.totalAgdLeftMGy = sum(events.filter((e) => lateralityOf(e) === 'left').map((e) => e.averageGlandularDoseMGy));
    out.totalAgdRightMGy = sum(events.filter((e) => lateralityOf(e) === 'right').map((e) => e.averageGlandularDoseMGy));
    out.totalAgdBothMGy = sum(events.filter((e) => lateralityOf(e) === 'both').map((e) => e.averageGlandularDoseMGy));
    return out;
  }

  // Totals per plane: the device's accumulated totals where it reported them, else the sum of its events.
  for (const plane of ['A', 'B'] as const) {
    const acc = proj.accumulated.filter((a) => planeOf(a.acquisitionPlane) === plane);
    const evs = events.filter((e) => planeOf(e.acquisitionPlane) === plane);
    const accDap = sum(acc.map((a) => a.doseAreaProductTotalGym2 ?? sum([a.fluoroDoseAreaProductTotalGym2, a.acquisitionDoseAreaProductTotalGym2])));
    const accRp = sum(acc.map((a) => a.doseRpTotalGy ?? sum([a.fluoroDoseRpTotalGy, a.acquisitionDoseRpTotalGy])));
    const dap = accDap ?? sum(evs.map((e) => e.doseAreaProductGym2));
    const rp = accRp ?? sum(evs.map((e) => e.doseRpGy));
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
