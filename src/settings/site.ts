// Site settings: patient-identifier policy, not-patient patterns, standard names and what
// happens to source files after import. Loaded from JSON (`openrem settings load FILE`),
// stored in the database, merged over defaults so a file may hold only what it changes.
import { z } from 'zod';

const patientIdSchema = z
  .object({
    storePatientName: z.boolean().default(false),
    hashPatientName: z.boolean().default(false),
    storePatientId: z.boolean().default(false),
    hashPatientId: z.boolean().default(false),
    storePatientBirthDate: z.boolean().default(false),
    hashAccessionNumber: z.boolean().default(false),
  })
  .strict();

const standardNameEntrySchema = z
  .object({
    modality: z.enum(['CT', 'RF', 'DX', 'MG', 'NM']),
    standardName: z.string().min(1),
    studyDescription: z.string().optional(),
    requestedProcedure: z.string().optional(),
    procedure: z.string().optional(),
    acquisitionProtocol: z.string().optional(),
  })
  .strict()
  .refine((e) => [e.studyDescription, e.requestedProcedure, e.procedure, e.acquisitionProtocol].filter((v) => v !== undefined).length === 1, {
    message: 'each standard name entry needs exactly one of studyDescription, requestedProcedure, procedure, acquisitionProtocol',
  });

const deleteAfterImportSchema = z
  .object({
    rdsr: z.boolean().default(false),
    dx: z.boolean().default(false),
    mg: z.boolean().default(false),
    ctPhilips: z.boolean().default(false),
    nm: z.boolean().default(false),
  })
  .strict();

export const siteSettingsSchema = z
  .object({
    patientId: patientIdSchema.default(patientIdSchema.parse({})),
    notPatientIdPatterns: z.array(z.string()).default([]),
    notPatientNamePatterns: z.array(z.string()).default([]),
    standardNames: z
      .object({ enabled: z.boolean().default(false), entries: z.array(standardNameEntrySchema).default([]) })
      .strict()
      .default({ enabled: false, entries: [] }),
    deleteAfterImport: deleteAfterImportSchema.default(deleteAfterImportSchema.parse({})),
    /** The reference system's name for `deleteAfterImport.dx`; accepted on load. */
    deleteDxImagesAfterImport: z.boolean().optional(),
  })
  .strict();

export type SiteSettings = z.infer<typeof siteSettingsSchema>;

export const DEFAULT_SETTINGS: SiteSettings = normalise(siteSettingsSchema.parse({}));

function normalise(s: SiteSettings): SiteSettings {
  const { deleteDxImagesAfterImport, ...rest } = s;
  if (deleteDxImagesAfterImport !== undefined) rest.deleteAfterImport = { ...rest.deleteAfterImport, dx: deleteDxImagesAfterImport };
  return rest;
}

/**
 * Parses settings JSON merged over `base` (defaults unless given). Throws with one line per
 * problem, naming the key.
 */
export function parseSettings(input: unknown, base: SiteSettings = DEFAULT_SETTINGS): SiteSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('settings must be a JSON object');
  const merged = deepMerge(base as unknown as Record<string, unknown>, input as Record<string, unknown>);
  const result = siteSettingsSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(`invalid settings:\n  ${lines.join('\n  ')}`);
  }
  return normalise(result.data);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
