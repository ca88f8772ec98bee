// One fluoroscopy study for openSkin, the skin dose map calculator: a row per irradiation
// event in the column order openSkin reads (no header row), values in the units of the dose
// report (DAP Gy·m², dose at the reference point Gy, exposure µAs, times ms or s, lengths mm),
// as openSkin expects them. The patient is "Anon".
import { loadStudies, type StoredStudy } from '../db/report-store.js';
import type { Db } from '../db/connect.js';
import type { ProjectionEvent } from '../report/types.js';
import { displayText } from '../web/views/values.js';
import type { Cell } from './cells.js';
import { CsvFile } from './csv.js';
import { csvPreamble, type ExportHeading } from './describe.js';
import { exposureOf, kvpOf, pulseWidthOf, tubeCurrentOf } from './layouts/xray.js';
import type { TableResult } from './table.js';

/** The copper filter of an event, which is what openSkin takes into account. */
function copperFilter(e: ProjectionEvent) {
  return (e.filters ?? []).filter((f) => /copper/i.test(f.material ?? '')).pop() ?? null;
}

export function openSkinRow(study: StoredStudy, e: ProjectionEvent): Cell[] {
  const cu = copperFilter(e);
  return [
    'Anon',
    study.patient.sex ?? null,
    study.study.studyInstanceUid,
    null,
    e.acquisitionPlane ?? null,
    e.dateTimeStarted ? displayText(e.dateTimeStarted) : null,
    e.irradiationEventType ?? null,
    e.acquisitionProtocol ?? null,
    e.referencePointDefinition ?? null,
    e.irradiationEventUid ?? null,
    e.doseAreaProductGym2 ?? null,
    e.doseRpGy ?? null,
    e.positionerPrimaryAngleDeg ?? null,
    e.positionerSecondaryAngleDeg ?? null,
    e.positionerPrimaryEndAngleDeg ?? null,
    e.positionerSecondaryEndAngleDeg ?? null,
    e.columnAngulationDeg ?? null,
    cu?.type ?? null,
    cu?.material ?? null,
    cu?.thicknessMinimumMm ?? null,
    cu?.thicknessMaximumMm ?? null,
    e.fluoroMode ?? null,
    e.pulseRateHz ?? null,
    e.numberOfPulses ?? null,
    kvpOf(e),
    tubeCurrentOf(e),
    e.exposureTimeMs ?? null,
    pulseWidthOf(e),
    exposureOf(e),
    e.focalSpotSizeMm ?? null,
    e.irradiationDurationS ?? null,
    e.averageXrayTubeCurrentMa ?? null,
    e.distanceSourceToDetectorMm ?? null,
    e.distanceSourceToIsocenterMm ?? null,
    e.tableLongitudinalPositionMm ?? null,
    e.tableLateralPositionMm ?? null,
    e.tableHeightPositionMm ?? null,
    e.targetRegion ?? null,
    e.comment ?? null,
  ];
}

export interface OpenSkinJob {
  db: Db;
  studyId: number;
  heading: ExportHeading;
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
}

export async function writeOpenSkinCsv(job: OpenSkinJob, path: string): Promise<TableResult> {
  const [study] = await loadStudies(job.db.kysely, [job.studyId]);
  if (!study) throw new Error(`there is no study ${job.studyId} (deleted since the export was asked for?)`);
  if (study.modality !== 'RF' || !study.projection) throw new Error(`study ${job.studyId} is not a fluoroscopy study`);
  const events = study.projection.events;
  const file = await CsvFile.create(path, job.signal);
  try {
    for (const line of csvPreamble(job.heading)) await file.row(line);
    for (const [i, e] of events.entries()) {
      if (i % 500 === 0) job.signal.throwIfAborted();
      await file.row(openSkinRow(study, e));
      job.progress((i + 1) / events.length, `${i + 1} of ${events.length} events written`);
    }
    await file.close();
    return { studies: 1 };
  } catch (err) {
    file.destroy();
    throw err;
  }
}
