// Every automatable case of the shared conformance suite, imported in-process on each
// database engine and compared value by value with the known-correct results.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStudies, type StoredStudy } from '../../src/db/report-store.js';
import { importFile } from '../../src/ingest/import-file.js';
import { parseSettings } from '../../src/settings/site.js';
import { loadSettings, saveSettings } from '../../src/settings/store.js';
import { CASES, corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { exactlyOneMismatches, mismatches } from '../helpers/expected.js';

type Expected = Record<string, unknown> & { exactlyOne?: string[]; studies?: Record<string, unknown>[] };
interface Step {
  step: number;
  import: string;
  before?: string[];
  expected?: Expected;
}
interface Case {
  name: string;
  file?: string;
  files?: string[];
  settings?: Record<string, unknown>;
  steps?: Step[];
  afterSteps?: string[];
  disabled?: boolean;
  expected?: Expected;
}

const cases: Case[] = readdirSync(CASES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(CASES, f), 'utf8')) as object) }));

/** Cases needing an administrator's action between imports are covered by dedicated tests. */
function manual(c: Case): string | null {
  if (c.disabled) return 'disabled upstream';
  if (c.steps?.some((s) => s.before?.length)) return 'needs an admin action between imports';
  if (c.afterSteps?.length) return 'needs an admin action after the imports';
  return null;
}

function checkState(studies: StoredStudy[], expected: Expected): string[] {
  const out: string[] = [];
  const x: Expected = { ...expected };
  if ('studyCount' in x) {
    if (studies.length !== x.studyCount) out.push(`studyCount: expected ${String(x.studyCount)}, got ${studies.length}`);
    delete x.studyCount;
  }
  for (const [key, modality] of [['ctStudyCount', 'CT'], ['nmStudyCount', 'NM']] as const) {
    if (key in x) {
      const n = studies.filter((s) => s.modality === modality).length;
      if (n !== x[key]) out.push(`${key}: expected ${String(x[key])}, got ${n}`);
      delete x[key];
    }
  }
  if ('ctStudyIdEqualsNmStudyId' in x) {
    const ct = studies.find((s) => s.modality === 'CT');
    const nm = studies.find((s) => s.modality === 'NM');
    const equal = !!ct && !!nm && ct.study.studyId != null && ct.study.studyId === nm.study.studyId;
    if (equal !== x.ctStudyIdEqualsNmStudyId) out.push(`ctStudyIdEqualsNmStudyId: expected ${String(x.ctStudyIdEqualsNmStudyId)}, got ${equal}`);
    delete x.ctStudyIdEqualsNmStudyId;
  }
  if ('nmStudy' in x) {
    const nm = studies.find((s) => s.modality === 'NM');
    if (!nm) out.push('nmStudy: no NM study');
    else out.push(...mismatches(nm, x.nmStudy as never, 'nmStudy'));
    delete x.nmStudy;
  }
  if (x.studies) {
    x.studies.forEach((e, i) => {
      if (Object.keys(e).length === 0) return;
      const s = studies[i];
      if (!s) out.push(`studies[${i}]: missing`);
      else out.push(...mismatches(s, e as never, `studies[${i}]`), ...exactlyOneMismatches(s, e.exactlyOne as string[] | undefined));
    });
    delete x.studies;
  }
  const rest = Object.keys(x).filter((k) => !['kind', 'log', 'invariants', 'noNewStudy', 'uniqueEquipmentCount', 'importSucceeds', 'studyCountAtLeast', 'exactlyOne'].includes(k));
  if (rest.length) {
    const s = studies[0];
    if (!s) out.push('study 0: missing (no studies stored)');
    else out.push(...mismatches(s, x as never), ...exactlyOneMismatches(s, x.exactlyOne));
  }
  return out;
}

async function dump(t: TestDb): Promise<StoredStudy[]> {
  const list: StoredStudy[] = [];
  for await (const s of allStudies(t.db.kysely)) list.push(s);
  return list;
}

for (const engine of ENGINES) {
  describe(`conformance cases (${engine})`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterAll(async () => {
      await t.cleanup();
    });

    for (const c of cases) {
      const why = manual(c);
      if (why) {
        it.skip(`${c.name} (${why}; see the dedicated test)`, () => undefined);
        continue;
      }
      it(c.name, async () => {
        // Each case starts from an empty database with default settings.
        await t.db.kysely.deleteFrom('object_uid').execute();
        await t.db.kysely.deleteFrom('ct_event').execute();
        await t.db.kysely.deleteFrom('proj_event').execute();
        await t.db.kysely.deleteFrom('study').execute();
        await t.db.kysely.deleteFrom('equipment').execute();
        await t.db.kysely.deleteFrom('setting').execute();
        if (c.settings && Object.keys(c.settings).length) await saveSettings(t.db.kysely, parseSettings(c.settings));
        const settings = await loadSettings(t.db.kysely);
        const problems: string[] = [];
        const importOne = async (name: string) => {
          const r = await importFile(t.db, settings, corpusFile(name));
          if (r.status === 'failed') problems.push(`import ${name} failed: ${r.message}`);
        };
        if (c.steps?.length) {
          for (const step of c.steps) {
            await importOne(step.import);
            for (const p of checkState(await dump(t), step.expected ?? {})) problems.push(`after step ${step.step} (${step.import}): ${p}`);
          }
        } else {
          for (const f of c.files ?? [c.file!]) await importOne(f);
          problems.push(...checkState(await dump(t), c.expected ?? {}));
        }
        expect(problems).toEqual([]);
      });
    }
  });
}
