// Templates shared by every dose SR: observer context (TID 1002), device and person
// participants (TID 1020/1021), and the document-level context items.
import type { Measurement, SrItem } from '../dicom/sr.js';
import type { DeviceParticipant, ObserverContext, PersonParticipant } from '../report/types.js';
import { C } from './concepts.js';

/**
 * Observer contexts of a container, in tree order. Each "Observer Type" item starts a new
 * observer; the items after it (until the next Observer Type) describe that observer.
 */
export function readObservers(container: SrItem): ObserverContext[] {
  const observers: ObserverContext[] = [];
  let current: ObserverContext | null = null;
  for (const item of container.children) {
    if (item.relationship !== 'HAS OBS CONTEXT') continue;
    if (item.is(C.ObserverType)) {
      current = { observerType: item.codeMeaning };
      observers.push(current);
      continue;
    }
    if (!current) {
      // Some devices omit Observer Type; a device observer UID then implies one.
      current = {};
      observers.push(current);
    }
    // Some devices write the UID as TEXT.
    if (item.is(C.DeviceObserverUID)) current.deviceObserverUid = item.uid ?? item.text;
    else if (item.is(C.DeviceObserverName)) current.deviceObserverName = item.text;
    else if (item.is(C.DeviceObserverManufacturer)) current.deviceObserverManufacturer = item.text;
    else if (item.is(C.DeviceObserverModelName)) current.deviceObserverModelName = item.text;
    else if (item.is(C.DeviceObserverSerialNumber)) current.deviceObserverSerialNumber = item.text;
    else if (item.is(C.DeviceObserverPhysicalLocation)) current.deviceObserverPhysicalLocationDuringObservation = item.text;
    else if (item.is(C.DeviceRoleInProcedure)) current.deviceRoleInProcedure = item.codeMeaning;
    else if (item.is(C.PersonObserverName)) current.personObserverName = item.personName ?? item.text;
    else if (item.is(C.PersonObserverOrganizationName)) current.personObserverOrganizationName = item.text;
    else if (item.is(C.PersonObserverRoleInOrganization)) current.personObserverRoleInOrganization = item.codeMeaning;
    else if (item.is(C.PersonObserverRoleInProcedure)) current.personObserverRoleInProcedure = item.codeMeaning;
  }
  return observers;
}

/** The device observer UID of the first device observer: the unit that wrote the report. */
export function deviceObserverUid(observers: readonly ObserverContext[]): string | null {
  return observers.find((o) => o.deviceObserverUid)?.deviceObserverUid ?? null;
}

/** TID 1021 Device Participant: a "Device Role in Procedure" item with its properties. */
export function readDeviceParticipant(roleItem: SrItem): DeviceParticipant {
  return {
    roleInProcedure: roleItem.codeMeaning,
    name: roleItem.childText(C.DeviceName),
    manufacturer: roleItem.childText(C.DeviceManufacturer),
    modelName: roleItem.childText(C.DeviceModelName),
    serialNumber: roleItem.childText(C.DeviceSerialNumber),
    observerUid: roleItem.childUid(C.DeviceObserverUID),
  };
}

/** TID 1020 Person Participant: a "Person Name" item with its properties. */
export function readPersonParticipant(nameItem: SrItem): PersonParticipant {
  const role = nameItem.child(C.PersonRoleInProcedure);
  return {
    personName: nameItem.personName ?? nameItem.text,
    personRoleInProcedure: role?.codeMeaning ?? null,
    personId: nameItem.childText(C.PersonID),
    personIdIssuer: nameItem.childText(C.PersonIDIssuer),
    organizationName: nameItem.childText(C.OrganizationName),
    personRoleInOrganization: nameItem.childCode(C.PersonRoleInOrganization),
  };
}

/** Procedure reported and its Has Intent modifier. */
export function readProcedureReported(root: SrItem): { procedureReported: string | null; hasIntent: string | null } {
  const proc = root.child(C.ProcedureReported);
  return { procedureReported: proc?.codeMeaning ?? null, hasIntent: proc?.childCode(C.HasIntent) ?? root.childCode(C.HasIntent) };
}

/** Units of quantities that cannot be below zero: doses and their products, activities, tube voltage, current and exposure. */
function neverNegative(target: string): boolean {
  return /Gy|Sv|Bq|^kV$|^mA$|A\.s$/.test(target);
}

/**
 * What is wrong with a measured value before its unit is looked at, so a dose is never stored
 * from a number the device did not write plainly: text that is no number and a negative dose
 * are refused; several values where one belongs keep the first, said so. Null when all is well.
 */
export function measurementProblem(m: Measurement, target: string, what: string): { refused: boolean; note: string } | null {
  if (m.value === null) return m.written ? { refused: true, note: `${what}: "${m.written}" is not a number; nothing was stored` } : null;
  if (m.value < 0 && neverNegative(target)) return { refused: true, note: `${what}: ${m.value} is negative, which it cannot be; it was not stored` };
  if (m.written?.includes('\\')) return { refused: false, note: `${what}: several values ("${m.written}") where one belongs; the first, ${m.value}, was stored` };
  return null;
}
