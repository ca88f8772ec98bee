// Projection X-ray and mammography RDSRs: values read from real corpus files, the modality
// each gets, vendor quirks, per-plane totals and the dose unit rules.
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/dicom/read.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { doseAreaProductGym2, doseRpGy, extractProjectionRdsr } from '../../src/extract/rdsr-projection.js';
import { incompleteTotals, summarise } from '../../src/report/summary.js';
import type { DoseReport, ProjectionDose } from '../../src/report/types.js';
import { biPlaneRdsr } from '../helpers/biplane.js';
import { behaviour, corpusBytes } from '../helpers/corpus.js';

function extract(name: string): DoseReport {
  const outcome = extractFromBytes(corpusBytes(name));
  if (outcome.status !== 'report') throw new Error(`${name}: ${outcome.status} (${outcome.reason})`);
  return outcome.report;
}

function projectionOf(report: DoseReport): ProjectionDose {
  if (!report.projection) throw new Error('no projection dose in the report');
  return report.projection;
}

describe('fluoroscopy RDSRs', () => {
  it('reads the GE surgical C-arm: totals, events, grids as objects and a TEXT device observer UID', () => {
    const r = extract('RF-RDSR-GE.dcm');
    const p = projectionOf(r);
    expect(r.modality).toBe('RF');
    expect(r.sourceKind).toBe('rdsr');
    expect(r.equipment.deviceObserverUid).toBe('1.3.6.1.4.1.45593.912345678.9876543123');
    expect(p.accumulated).toHaveLength(1);
    expect(p.accumulated[0]).toMatchObject({
      acquisitionPlane: 'Single Plane',
      fluoroDoseAreaProductTotalGym2: 0.00024126,
      fluoroDoseRpTotalGy: 0.0117317,
      acquisitionDoseAreaProductTotalGym2: 0,
      acquisitionDoseRpTotalGy: 0,
      totalFluoroTimeS: 72.46,
    });
    expect(p.events).toHaveLength(8);
    const e = p.events[3]!;
    expect(e).toMatchObject({
      dateTimeStarted: '2019-03-16T13:27:25',
      irradiationEventType: 'Fluoroscopy',
      referencePointDefinitionCode: '113861',
      irradiationEventUid: '1.3.6.1.4.1.5962.99.1.3577657414.286912992.1554060884038.8.0',
      doseAreaProductGym2: 4.334e-5,
      doseRpGy: 0.00210763,
      collimatedFieldAreaM2: 0.041968,
      averageXrayTubeCurrentMa: 18.90340042,
      grids: [{ grid: 'Fixed Grid', gridCode: '111641' }],
    });
    // "Value unknown" angles are absent, not zero.
    expect(e.positionerPrimaryAngleDeg).toBeNull();
    expect(r.summary).toMatchObject({ numberOfEvents: 8, numberOfPlanes: 1, totalDapAGym2: 0.00024126, totalDapGym2: 0.00024126, totalRpDoseAGy: 0.0117317 });
  });

  it('computes the collimated field of Philips Allura events from the private shutter positions', () => {
    const e = projectionOf(extract('RF-RDSR-Philips_Allura.dcm')).events[0]!;
    // (164.5 + 164.5) mm and (131 + 131) mm at 1 m, scaled to the 1194 mm source to detector distance.
    expect(e.distanceSourceToDetectorMm).toBe(1194);
    expect(e.collimatedFieldHeightMm).toBeCloseTo(392.826, 9);
    expect(e.collimatedFieldWidthMm).toBeCloseTo(312.828, 9);
    expect(e.collimatedFieldAreaM2).toBeCloseTo(0.122886971928, 12);
    expect(e.numberOfPulses).toBe(98);
    // No exposure time in the event: pulse width times number of pulses (to 12 significant digits).
    expect(e.exposureTimeMs).toBe(397.471002768);
  });

  it('reads patient position and II size from Siemens XML comments', () => {
    const r = extract('RF-RDSR-Siemens-Zee.dcm');
    const e = projectionOf(r).events[0]!;
    expect(e).toMatchObject({
      patientTableRelationship: 'headfirst',
      patientTableRelationshipCode: 'F-10470',
      patientOrientation: 'recumbent',
      patientOrientationCode: 'F-10450',
      patientOrientationModifier: 'supine',
      iiFieldSizeMm: 220,
      exposureTimeMs: 100.8,
      pulseWidthMs: 4.2,
    });
    expect(r.summary).toMatchObject({ numberOfEvents: 8, numberOfPlanes: 1, totalDapAGym2: 1.6e-5, totalDapGym2: 1.6e-5, totalRpDoseAGy: 0.00252 });
  });

  it('converts the Canon Ultimax-i doses written in mGy and dGy.cm2, and says so', () => {
    const r = extract('RF-RDSR-Canon-Ultimaxi-mGyDoseAtRP.dcm');
    const p = projectionOf(r);
    expect(p.accumulated[0]!.fluoroDoseRpTotalGy).toBeCloseTo(0.025664, 12);
    expect(p.accumulated[0]!.acquisitionDoseRpTotalGy).toBeCloseTo(0.004909, 12);
    expect(p.accumulated[0]!.doseRpTotalGy).toBeCloseTo(0.030573, 12);
    expect(p.accumulated[0]!.doseAreaProductTotalGym2).toBeCloseTo(126.596e-5, 12);
    expect(p.events[0]!.doseRpGy).toBeCloseTo(0.000384, 12);
    expect(p.events[0]!.doseAreaProductGym2).toBeCloseTo(1.323e-5, 12);
    expect(r.warnings).toEqual(expect.arrayContaining([expect.stringContaining('dGy.cm2'), expect.stringContaining('mGy')]));
  });

  it('keeps per-pulse kVp, tube current and pulse width (Eurocolumbus)', () => {
    const e = projectionOf(extract('RF-RDSR-Eurocolumbus.dcm')).events[0]!;
    expect(e.numberOfPulses).toBe(22);
    expect(e.kvps).toHaveLength(22);
    expect(e.kvps!.slice(0, 4)).toEqual([0, 85, 85, 68]);
    expect(e.xrayTubeCurrents).toHaveLength(22);
    expect(e.pulseWidths).toHaveLength(22);
    // The representative kVp is the mean over the pulses that fired (the first one did not).
    expect(e.kvp).toBeCloseTo(1190 / 21, 9);
    expect(e.xrayTubeCurrentMa).toBe(50);
    expect(e.exposureTimeMs).toBe(168);
    expect(e.laterality).toBe('Left');
    expect(e.targetRegion).toBe('Knee');
    expect(e.grids).toEqual([{ grid: 'Focused grid', gridCode: '111642' }]);
    expect(e.filters).toEqual([{ type: 'Flat Filter', material: 'Aluminum or Aluminum compound', thicknessMinimumMm: 1, thicknessMaximumMm: 1 }]);
  });

  it('imports RDSRs with missing or unusual items with sensible values', () => {
    const noKvp = projectionOf(extract('RF-No-kVp-and-others.dcm'));
    expect(noKvp.events).toHaveLength(20);
    expect(noKvp.events[0]!.kvp).toBeNull();
    expect(noKvp.events[0]!.doseAreaProductGym2).toBe(1.912896902e-6);
    expect(noKvp.events[0]!.filters!.map((f) => [f.material, f.thicknessMinimumMm, f.thicknessMaximumMm])).toEqual([
      ['Aluminum or Aluminum compound', 3, null],
      ['Copper or Copper compound', 0.1, null],
    ]);
    expect(noKvp.events[0]!.personParticipants).toEqual([expect.objectContaining({ personName: null, personRoleInProcedure: 'Irradiation Administering' })]);

    const orientation = extract('RF-Pat-Orientation-Modifier-Missing.dcm');
    expect(orientation.modality).toBe('RF');
    expect(projectionOf(orientation).events).toHaveLength(316);
    expect(orientation.summary).toMatchObject({ totalDapAGym2: 0.046881, totalRpDoseAGy: 7.68897349461 });
  });
});

describe('radiography RDSRs', () => {
  it('reads the Carestream DRX-Evolution (integrated projection radiography system)', () => {
    const r = extract('DX-RDSR-Carestream_DRXEvolution.dcm');
    const p = projectionOf(r);
    expect(r.modality).toBe('DX');
    expect(p.acquisitionDeviceType).toBe('Integrated Projection Radiography System');
    expect(p.accumulated[0]!.integratedProjection).toEqual({
      doseAreaProductTotalGym2: 5.80999970e-6,
      doseRpTotalGy: 0.00029927175492,
      totalNumberOfRadiographicFrames: 5,
      referencePointDefinition: 'In Detector Plane',
    });
    expect(p.events).toHaveLength(5);
    expect(p.events[0]).toMatchObject({
      anatomicalStructure: 'Hip joint',
      doseAreaProductGym2: 8.2000002e-7,
      exposureIndex: 662.18,
      targetExposureIndex: 226.22,
      deviationIndex: 4.66,
      kvp: 48,
      xrayTubeCurrentMa: 250,
      exposureTimeMs: 18,
      exposureUAs: 4500,
      distanceSourceToDetectorMm: 1017,
      deviceParticipant: { roleInProcedure: 'Irradiating Device', name: 'CAREDXEVO', manufacturer: 'CARESTREAM', modelName: 'DRX-Evolution', serialNumber: '7664565786545' },
    });
    // Observer types listed before their items: each declared observer gets the whole context.
    expect(p.observers).toHaveLength(2);
    expect(p.observers![0]).toMatchObject({ observerType: 'Device', deviceObserverName: 'CAREDXEVO', deviceRoleInProcedure: 'Irradiating Device' });
    expect(r.summary).toMatchObject({ numberOfEvents: 5, numberOfPlanes: 1, totalDapAGym2: 5.8099997e-6 });
  });

  it('decides DX for a projection RDSR without device type and without fluoroscopy (Canon CXDI)', () => {
    const r = extract('DX-RDSR-Canon_CXDI.dcm');
    const p = projectionOf(r);
    expect(r.modality).toBe('DX');
    expect(p.acquisitionDeviceType).toBeNull();
    expect(p.accumulated[0]).toMatchObject({ acquisitionDoseAreaProductTotalGym2: 1.07e-5, totalAcquisitionTimeS: 0.005, referencePointDefinition: 'Unknown', doseRpTotalGy: null });
    expect(p.events[0]).toMatchObject({ dateTimeStarted: '2016-08-18T19:26:17.043000', kvp: 90, xrayTubeCurrentMa: 160, exposureUAs: 800, focalSpotSizeMm: 10, numberOfPulses: 1 });
  });

  it('keeps an RDSR without measured values (Canon CXDI, no DAP)', () => {
    const p = projectionOf(extract('DX-RDSR-Canon_CXDI_noDAP.dcm'));
    expect(p.events.map((e) => [e.doseAreaProductGym2, e.kvp])).toEqual([
      [null, 43],
      [null, 43],
    ]);
  });

  it('tells the radiography and the fluoroscopy record of one unit apart', () => {
    const dx = extract('Dual-RDSR-DX.dcm');
    const rf = extract('Dual-RDSR-RF.dcm');
    expect([dx.modality, rf.modality]).toEqual(['DX', 'RF']);
    // "Gym2" is the devices' spelling of Gy.m2.
    expect(projectionOf(dx).accumulated[0]!.doseAreaProductTotalGym2).toBe(2.39e-6);
    expect(projectionOf(rf).accumulated[0]!.totalFluoroTimeS).toBe(4);
  });

  it('takes fluoroscopy content over a device type of integrated radiography (Philips Azurion)', () => {
    const r = extract('RF-RDSR-Philips_Azurion.dcm');
    expect(projectionOf(r).acquisitionDeviceType).toBe('Integrated Projection Radiography System');
    expect(r.modality).toBe('RF');
    expect(projectionOf(r).accumulated).toHaveLength(1);
    expect(projectionOf(r).accumulated[0]!.fluoroDoseAreaProductTotalGym2).toBe(0.00101567);
  });

  it('marks a report read from an Enhanced SR', () => {
    const { dataset } = parseDicom(corpusBytes('DX-RDSR-Canon_CXDI.dcm'));
    expect(extractProjectionRdsr(dataset, { enhancedSr: true }).sourceKind).toBe('esr');
  });
});

describe('mammography RDSRs', () => {
  it('reads the Hologic Selenia Dimensions 2D RDSR', () => {
    const r = extract('MG-RDSR-Hologic_2D.dcm');
    const p = projectionOf(r);
    expect(r.modality).toBe('MG');
    // The device coded this item with the Patient Table Relationship code; the meaning identifies it.
    expect(p.xrayDetectorDataAvailable).toBe('Yes');
    expect(p.accumulated[0]!.mammography).toEqual([
      { laterality: 'Left breast', accumulatedAverageGlandularDoseMGy: 1.3 },
      { laterality: 'Right breast', accumulatedAverageGlandularDoseMGy: 1.28 },
    ]);
    expect(p.accumulated[0]!.integratedProjection).toBeUndefined();
    expect(p.events[0]).toMatchObject({
      laterality: 'Left',
      viewPosition: 'cranio-caudal',
      averageGlandularDoseMGy: 1.3,
      entranceExposureAtRpMGy: 3.65,
      halfValueLayerMm: 0.535,
      kvp: 28,
      exposureTimeMs: 854,
      exposureUAs: 90200,
      anodeTargetMaterial: 'Tungsten or Tungsten compound',
      filters: [{ type: 'Strip filter', material: 'Rhodium or Rhodium compound', thicknessMinimumMm: 0.05, thicknessMaximumMm: 0.05 }],
      grids: [{ grid: 'Grid in', gridCode: 'gridin' }],
      compressionThicknessMm: 43,
      crdrMechanicalConfiguration: 'Upright Stand Mount',
      distanceSourceToDetectorMm: 700,
    });
    // Average tube current was not reported; the mean of the tube currents stands in.
    expect(p.events[0]!.averageXrayTubeCurrentMa).toBe(100);
    expect(r.summary).toMatchObject({ numberOfEvents: 2, totalAgdLeftMGy: 1.3, totalAgdRightMGy: 1.28, totalAgdBothMGy: null });
  });

  it('reads a Hologic mix of tomosynthesis and 2D exposures', () => {
    const r = extract('MG-RDSR-Hologic_mix.dcm');
    const p = projectionOf(r);
    expect(r.modality).toBe('MG');
    expect(p.events.map((e) => e.irradiationEventType)).toEqual([
      'Rotational Acquisition',
      'Rotational Acquisition',
      'Rotational Acquisition',
      'Stationary Acquisition',
      'Stationary Acquisition',
      'Rotational Acquisition',
      'Stationary Acquisition',
    ]);
    expect(p.events[0]).toMatchObject({ laterality: 'Right', averageGlandularDoseMGy: 0.95, positionerPrimaryAngleDeg: -7.4, positionerPrimaryEndAngleDeg: 7.6, grids: [{ grid: 'No grid', gridCode: '111646' }] });
    expect(r.summary).toMatchObject({ numberOfEvents: 7, totalAgdLeftMGy: 0.87, totalAgdRightMGy: 2.71 });
  });

  it('keeps repeated per-exposure items of the GE Senographe Pristina', () => {
    const r = extract('MG-RDSR-GEPristina-2D.dcm');
    const e = projectionOf(r).events[0]!;
    expect(r.modality).toBe('MG');
    expect(e.kvps).toEqual([34.1, 33.99]);
    expect(e.xrayTubeCurrents).toEqual([2, 30.48]);
    expect(e.pulseWidths).toEqual([51.44, 558.06]);
    expect(e.exposureTimeMs).toBe(609.5);
    // The kV of an exposure is the mean of its pulses, without binary noise: 34.09 and 33.99 give 34.04.
    expect(projectionOf(r).events.map((x) => x.kvp)).toEqual([34.045, 34.045, 34.045, 34.045, 34.045, 34.04, 34.045, 34.045]);
    // Mean tube current over the exposure, weighted by the pulse widths.
    expect(e.averageXrayTubeCurrentMa).toBeCloseTo((2 * 51.44 + 30.48 * 558.06) / 609.5, 9);
    expect(e.collimatedFieldHeightMm).toBe(240);
    expect(e.collimatedFieldWidthMm).toBe(290);
    expect(e.grids).toEqual([{ grid: 'Reciprocating grid', gridCode: '111643' }]);
    // Per-breast totals are the accumulated doses: the left breast, not exposed, has 0 (not "no value").
    expect(projectionOf(r).events.every((e) => e.laterality === 'Right')).toBe(true);
    expect(r.summary).toMatchObject({ totalAgdLeftMGy: 0, totalAgdRightMGy: 9.68 });
  });
});

describe('study totals', () => {
  it('says when a total summed from events is short because some events lack the value', () => {
    const zee = extract('RF-RDSR-Siemens-Zee.dcm');
    const proj = projectionOf(zee);
    const events = proj.events.map((e, i) => (i === 0 ? { ...e, doseAreaProductGym2: null } : e));
    expect(incompleteTotals({ ...zee, projection: { ...proj, accumulated: [], events } })).toEqual(['The total DAP is the sum of 7 of 8 events: 1 has none']);
    // With the device's own totals, or every event's value, there is nothing to say.
    expect(incompleteTotals({ ...zee, projection: { ...proj, events } })).toEqual([]);
    expect(incompleteTotals({ ...zee, projection: { ...proj, accumulated: [] } })).toEqual([]);
    const ct = extract('CT-RDSR-Siemens_Flash-TAP-SS.dcm');
    const ctEvents = ct.ct!.events.map((e, i) => (i === 3 ? { ...e, dlpMGyCm: null } : e));
    expect(incompleteTotals({ ...ct, ct: { ...ct.ct!, totalDlpMGyCm: null, events: ctEvents } })).toEqual(['The total DLP is the sum of 3 of 4 events: 1 has none']);
  });

  it('counts an accumulated record written twice once, not as a second plane', () => {
    const r = extract('RF-RDSR-Siemens-Zee.dcm');
    const proj = projectionOf(r);
    expect(proj.accumulated).toHaveLength(1);
    const twice = summarise({ ...r, projection: { ...proj, accumulated: [proj.accumulated[0]!, structuredClone(proj.accumulated[0]!)] } });
    expect(twice).toMatchObject({ numberOfPlanes: 1, totalDapAGym2: 1.6e-5, totalDapGym2: 1.6e-5, totalRpDoseAGy: 0.00252 });
    expect(twice.totalDapBGym2 ?? null).toBeNull();
  });

  it('sums the events of a plane when the report has no accumulated dose for it', () => {
    const r = extract('RF-RDSR-GE.dcm');
    const withoutTotals = summarise({ ...r, projection: { ...projectionOf(r), accumulated: [] } });
    // The eight events of the GE report, against the device's own total of 0.00024126 Gy.m2.
    expect(withoutTotals.numberOfPlanes).toBe(1);
    expect(withoutTotals.totalDapAGym2).toBeCloseTo(0.00024125, 15);
    expect(withoutTotals.totalRpDoseAGy).toBeCloseTo(0.01173169, 15);
  });

  it('does not count an "All Planes" total on top of the plane totals', () => {
    const r = extract('RF-RDSR-Siemens-Zee.dcm');
    const [single] = projectionOf(r).accumulated;
    const allPlanes = { ...single!, acquisitionPlane: 'All Planes', integratedProjection: { ...single!.integratedProjection, doseAreaProductTotalGym2: 1 } };
    const s = summarise({ ...r, projection: { ...projectionOf(r), accumulated: [single!, allPlanes] } });
    expect(s.numberOfPlanes).toBe(1);
    expect(s.totalDapGym2).toBe(1.6e-5);
  });
});

// --------------------------------------------------------------------------------- bi-plane

describe('bi-plane fluoroscopy', () => {
  it('keeps accumulated dose and events per plane and totals both planes', () => {
    const outcome = extractFromBytes(biPlaneRdsr());
    if (outcome.status !== 'report') throw new Error(outcome.reason);
    const r = outcome.report;
    const p = projectionOf(r);
    expect(r.modality).toBe('RF');
    expect(p.accumulated.map((a) => [a.acquisitionPlane, a.doseAreaProductTotalGym2, a.doseRpTotalGy])).toEqual([
      ['Plane A', 1.6e-5, 0.00252],
      ['Plane B', 4.5e-6, 0.0008],
    ]);
    expect(p.events.map((e) => e.acquisitionPlane)).toEqual([...Array<string>(5).fill('Plane A'), ...Array<string>(3).fill('Plane B')]);
    expect(r.summary.numberOfPlanes).toBe(2);
    expect(r.summary.totalDapAGym2).toBe(1.6e-5);
    expect(r.summary.totalDapBGym2).toBe(4.5e-6);
    expect(r.summary.totalRpDoseAGy).toBe(0.00252);
    expect(r.summary.totalRpDoseBGy).toBe(0.0008);
    expect(r.summary.totalDapGym2).toBeCloseTo(2.05e-5, 15);
  });
});

// ------------------------------------------------------------------------------ dose units

interface UnitFact {
  quantity: 'dose area product' | 'dose at reference point';
  test: string;
  input: { value: number; unitCode: string | null };
  expectedGym2?: number;
  expectedGy?: number;
}

describe('dose units (behaviour/rdsr-dose-units.json)', () => {
  const facts = behaviour<{ cases: UnitFact[] }>('rdsr-dose-units.json').cases;

  it('has the six facts', () => {
    expect(facts).toHaveLength(6);
  });

  for (const fact of facts) {
    it(`${fact.quantity}: ${fact.input.value} ${fact.input.unitCode ?? '(no unit)'} (${fact.test})`, () => {
      const unit = fact.input.unitCode === null ? null : { value: fact.input.unitCode, scheme: 'UCUM', meaning: fact.input.unitCode };
      const m = { value: fact.input.value, unit };
      const [actual, expected] = fact.quantity === 'dose area product' ? [doseAreaProductGym2(m), fact.expectedGym2] : [doseRpGy(m), fact.expectedGy];
      expect(expected).toBeTypeOf('number');
      expect(actual).not.toBeNull();
      // Relative comparison: the values are far smaller than an absolute 7 decimal places resolves.
      expect(actual! / expected!).toBeCloseTo(1, 12);
    });
  }

  it('refuses a dose in a unit of another dimension rather than storing it wrong', () => {
    expect(doseAreaProductGym2({ value: 1.5, unit: { value: 'mGy', scheme: 'UCUM', meaning: 'mGy' } })).toBeNull();
    expect(doseRpGy({ value: 1.5, unit: { value: 'Gy.m2', scheme: 'UCUM', meaning: 'Gy.m2' } })).toBeNull();
  });
});
