// Equipment identity: one row per distinct combination of the eight identifying fields,
// with a display name that physicists can change and that survives software upgrades.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, EquipmentRow } from '../db/schema.js';
import type { DoseReport, EquipmentInfo, ObserverContext } from '../report/types.js';

const IDENTITY_FIELDS = ['manufacturer', 'institutionName', 'stationName', 'departmentName', 'modelName', 'deviceSerialNumber', 'softwareVersions', 'gantryId'] as const;

export function equipmentIdentityHash(e: EquipmentInfo): string {
  const values = IDENTITY_FIELDS.map((f) => e[f] ?? '');
  return createHash('sha256').update(JSON.stringify(values), 'utf8').digest('hex');
}

/** The device that recorded a dose report, as its observer context describes it (RDSRs only). */
export function deviceObserverOf(report: DoseReport): ObserverContext | undefined {
  const observers = report.ct?.observers ?? report.projection?.observers ?? report.nm?.observers ?? [];
  return observers.find((o) => o.observerType !== 'Person' && (o.deviceObserverName || o.deviceObserverModelName || o.deviceObserverSerialNumber));
}

function present(text: string | null | undefined): string | null {
  return text?.trim() || null;
}

/**
 * The display name of new equipment: "institution station", as the reference system names it.
 * Without both, what tells units apart, so that different units get different names (and count
 * as different systems): the institution if known, manufacturer and model, then the station
 * name, else the serial number; the report's device observer fills in what the object's
 * equipment module lacks. Physicists can rename any system afterwards.
 */
export function defaultDisplayName(e: EquipmentInfo, device?: ObserverContext | null): string {
  const institution = present(e.institutionName);
  const station = present(e.stationName);
  if (institution && station) return `${institution} ${station}`;
  const parts = [
    institution,
    present(e.manufacturer) ?? present(device?.deviceObserverManufacturer),
    present(e.modelName) ?? present(device?.deviceObserverModelName),
    station ?? present(e.deviceSerialNumber) ?? present(device?.deviceObserverName) ?? present(device?.deviceObserverSerialNumber),
  ];
  return parts.filter((p): p is string => p !== null).join(' ') || 'Unknown system';
}

/**
 * Finds or creates the equipment row. A new combination that is the same unit as a known one
 * (same device observer UID, or same manufacturer, model, serial number and station with
 * another software version) inherits that unit's display name and user-defined modality.
 */
export async function findOrCreateEquipment(q: Kysely<Database>, e: EquipmentInfo, now: string, device?: ObserverContext): Promise<EquipmentRow> {
  const identityHash = equipmentIdentityHash(e);
  const existing = await q.selectFrom('equipment').selectAll().where('identity_hash', '=', identityHash).executeTakeFirst();
  if (existing) {
    if (!existing.device_observer_uid && e.deviceObserverUid) {
      await q.updateTable('equipment').set({ device_observer_uid: e.deviceObserverUid }).where('id', '=', existing.id).execute();
      return { ...existing, device_observer_uid: e.deviceObserverUid };
    }
    return existing;
  }
  const sibling = await findSameUnit(q, e);
  const row = {
    identity_hash: identityHash,
    manufacturer: e.manufacturer ?? null,
    institution_name: e.institutionName ?? null,
    station_name: e.stationName ?? null,
    department_name: e.departmentName ?? null,
    model_name: e.modelName ?? null,
    serial_number: e.deviceSerialNumber ?? null,
    software_versions: e.softwareVersions ?? null,
    gantry_id: e.gantryId ?? null,
    device_observer_uid: e.deviceObserverUid ?? null,
    display_name: sibling?.display_name ?? defaultDisplayName(e, device),
    user_defined_modality: sibling?.user_defined_modality ?? null,
    created_at: now,
  };
  const { id } = await q.insertInto('equipment').values(row).returning('id').executeTakeFirstOrThrow();
  return { id, ...row };
}

async function findSameUnit(q: Kysely<Database>, e: EquipmentInfo): Promise<EquipmentRow | undefined> {
  if (e.deviceObserverUid) {
    const byUid = await q.selectFrom('equipment').selectAll().where('device_observer_uid', '=', e.deviceObserverUid).orderBy('id', 'desc').executeTakeFirst();
    if (byUid) return byUid;
  }
  if (!e.deviceSerialNumber) return undefined;
  return q
    .selectFrom('equipment')
    .selectAll()
    .where('serial_number', '=', e.deviceSerialNumber)
    .where((w) =>
      w.and([
        e.manufacturer ? w('manufacturer', '=', e.manufacturer) : w('manufacturer', 'is', null),
        e.modelName ? w('model_name', '=', e.modelName) : w('model_name', 'is', null),
        e.stationName ? w('station_name', '=', e.stationName) : w('station_name', 'is', null),
      ]),
    )
    .orderBy('id', 'desc')
    .executeTakeFirst();
}
