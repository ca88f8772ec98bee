// Equipment identity: one row per distinct combination of the eight identifying fields,
// with a display name that physicists can change and that survives software upgrades.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, EquipmentRow } from '../db/schema.js';
import type { DoseReport, EquipmentInfo, ObserverContext } from '../report/types.js';

/** The longest display name a system may be given; the list filter by system takes as long a name. */
export const DISPLAY_NAME_MAX = 255;

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
 * Safe when another importer creates the same row at the same time (see insertEquipment).
 */
export async function findOrCreateEquipment(q: Kysely<Database>, e: EquipmentInfo, now: string, device?: ObserverContext): Promise<EquipmentRow> {
  const identityHash = equipmentIdentityHash(e);
  const existing = await findByIdentity(q, identityHash);
  if (existing) return withObserverUid(q, existing, e);
  const row = await newEquipmentRow(q, e, identityHash, now, device);
  const id = await insertEquipment(q, row);
  if (id !== undefined) return { id, ...row };
  // A new statement sees what the other importer committed (read committed, the default).
  const winner = await findByIdentity(q, identityHash);
  if (!winner) throw new Error(`equipment ${identityHash} was neither stored nor found`);
  return withObserverUid(q, winner, e);
}

function findByIdentity(q: Kysely<Database>, identityHash: string): Promise<EquipmentRow | undefined> {
  return q.selectFrom('equipment').selectAll().where('identity_hash', '=', identityHash).executeTakeFirst();
}

/** A known combination first seen without the device observer UID learns it. */
async function withObserverUid(q: Kysely<Database>, existing: EquipmentRow, e: EquipmentInfo): Promise<EquipmentRow> {
  if (existing.device_observer_uid || !e.deviceObserverUid) return existing;
  await q.updateTable('equipment').set({ device_observer_uid: e.deviceObserverUid }).where('id', '=', existing.id).execute();
  return { ...existing, device_observer_uid: e.deviceObserverUid };
}

async function newEquipmentRow(q: Kysely<Database>, e: EquipmentInfo, identityHash: string, now: string, device?: ObserverContext): Promise<Omit<EquipmentRow, 'id'>> {
  const sibling = await findSameUnit(q, e);
  return {
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
}

/**
 * The new row's id, or undefined when the same combination is already stored. On PostgreSQL
 * another importer may have created it since the look-up (two imports of one new unit): the
 * insert waits for that importer's transaction and then stores nothing. A unique violation
 * instead would abort this whole transaction (a group of imports), so it is never raised.
 */
async function insertEquipment(q: Kysely<Database>, row: Omit<EquipmentRow, 'id'>): Promise<number | undefined> {
  const inserted = await q
    .insertInto('equipment')
    .values(row)
    .onConflict((oc) => oc.column('identity_hash').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
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
