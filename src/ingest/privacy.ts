// Patient-identifier policy: what is stored, what is hashed, and the not-patient flag.
import { createHash } from 'node:crypto';
import type { PatientInfo, StudyInfo } from '../report/types.js';
import type { SiteSettings } from '../settings/site.js';

/**
 * SHA-256 (hex) of the UTF-8 value. A multi-valued DICOM value (components separated by
 * backslashes) is hashed as its components joined without a separator, so hashes match
 * other systems that hash the same identifiers.
 */
export function hashIdentifier(value: string | readonly string[]): string {
  const joined = typeof value === 'string' ? value.split('\\').join('') : value.join('');
  return createHash('sha256').update(joined, 'utf8').digest('hex');
}

/** Turns a wildcard pattern (`*` any run of characters) into a case-insensitive whole-value test. */
function wildcard(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'is');
}

/**
 * "IDs: <matched id patterns> | Names: <matched name patterns>" (patterns lower-case, in
 * configuration order, space separated), or null when nothing matches.
 */
export function notPatientIndicator(name: string | null | undefined, id: string | null | undefined, settings: Pick<SiteSettings, 'notPatientIdPatterns' | 'notPatientNamePatterns'>): string | null {
  const match = (value: string | null | undefined, patterns: readonly string[]) =>
    value ? patterns.filter((p) => wildcard(p).test(value)).map((p) => p.toLowerCase()) : [];
  const ids = match(id, settings.notPatientIdPatterns);
  const names = match(name, settings.notPatientNamePatterns);
  if (ids.length === 0 && names.length === 0) return null;
  return `IDs: ${ids.join(' ')} | Names: ${names.join(' ')}`;
}

/** The patient and study identifiers as they are to be stored under the site's policy. */
export function applyPrivacy(patient: PatientInfo, study: StudyInfo, settings: SiteSettings): { patient: PatientInfo; study: StudyInfo } {
  const p = settings.patientId;
  const indicator = notPatientIndicator(patient.name, patient.id, settings);
  const storedName = p.storePatientName && patient.name ? (p.hashPatientName ? hashIdentifier(patient.name) : patient.name) : null;
  const storedId = p.storePatientId && patient.id ? (p.hashPatientId ? hashIdentifier(patient.id) : patient.id) : null;
  const accession = study.accessionNumber && p.hashAccessionNumber ? hashIdentifier(study.accessionNumber) : study.accessionNumber ?? null;
  return {
    patient: {
      ...patient,
      name: storedName,
      nameHashed: storedName !== null && p.hashPatientName,
      id: storedId,
      idHashed: storedId !== null && p.hashPatientId,
      birthDate: p.storePatientBirthDate ? patient.birthDate ?? null : null,
      notPatientIndicator: indicator,
    },
    study: { ...study, accessionNumber: accession, accessionNumberHashed: accession !== null && p.hashAccessionNumber },
  };
}
