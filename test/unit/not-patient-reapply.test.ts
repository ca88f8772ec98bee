// Applying not-patient patterns again to a stored study (behaviour/not-patient-indicator.json):
// with both identifiers at hand it gives exactly what an import gives; a part whose identifier
// is not stored as it is stays as the import found it.
import { describe, expect, it } from 'vitest';
import { reappliedIndicator } from '../../src/admin/not-patient.js';
import { notPatientIndicator } from '../../src/ingest/privacy.js';
import { behaviour } from '../helpers/corpus.js';

interface IndicatorFacts {
  settings: { notPatientIdPatterns: string[]; notPatientNamePatterns: string[] };
  cases: { test: string; input: { patientName: string; patientId: string }; expected: string | null }[];
}

const facts = behaviour<IndicatorFacts>('not-patient-indicator.json');

describe('re-applied not-patient indicator', () => {
  it.each(facts.cases)('$test: the same as at import when name and ID are stored as they are', ({ input, expected }) => {
    expect(reappliedIndicator(input.patientName, input.patientId, 'IDs: old | Names: old', facts.settings)).toBe(expected);
    expect(notPatientIndicator(input.patientName, input.patientId, facts.settings)).toBe(expected);
  });

  it('keeps the name part found at import when the name is not stored, and recomputes the ID part', () => {
    // test_names_and_id, imported when the name matched; the ID is stored, the name is not.
    const atImport = 'IDs: phy* | Names: *test* physics*';
    expect(reappliedIndicator(null, 'PHY12345', atImport, facts.settings)).toBe(atImport);
    expect(reappliedIndicator(null, '12345', atImport, facts.settings)).toBe('IDs:  | Names: *test* physics*');
    expect(reappliedIndicator(null, '12345', 'IDs: phy* | Names: ', facts.settings)).toBeNull();
    expect(reappliedIndicator('Physics^LBDAlignment', null, 'IDs: qa* | Names: ', facts.settings)).toBe('IDs: qa* | Names: physics*');
    expect(reappliedIndicator(null, null, atImport, { notPatientIdPatterns: [], notPatientNamePatterns: [] })).toBe(atImport);
  });
});
