// Navigation of a DICOM Structured Report content tree by coded concept.
import type { DicomDataset } from './dataset.js';
import { firstValue, parseDate, parseDateTime, parseDecimal, parseTime } from './values.js';

export interface Code {
  value: string;
  scheme: string | null;
  meaning: string | null;
}

/**
 * A concept an extractor looks for. Items match on any of the code values (DICOM-correct)
 * or, for vendors that coded it differently, on the meaning compared case-insensitively.
 */
export interface Concept {
  readonly codes: readonly string[];
  readonly meaning: string;
  readonly altMeanings?: readonly string[];
}

export const TAG = {
  ValueType: 'x0040a040',
  RelationshipType: 'x0040a010',
  ConceptNameCodeSequence: 'x0040a043',
  ConceptCodeSequence: 'x0040a168',
  ContentSequence: 'x0040a730',
  TextValue: 'x0040a160',
  MeasuredValueSequence: 'x0040a300',
  NumericValue: 'x0040a30a',
  FloatingPointValue: 'x0040a161',
  MeasurementUnitsCodeSequence: 'x004008ea',
  UID: 'x0040a124',
  DateTime: 'x0040a120',
  Date: 'x0040a121',
  Time: 'x0040a122',
  PersonName: 'x0040a123',
  CodeValue: 'x00080100',
  CodingSchemeDesignator: 'x00080102',
  CodeMeaning: 'x00080104',
  LongCodeValue: 'x00080119',
  URNCodeValue: 'x00080120',
} as const;

export function readCode(ds: DicomDataset | null): Code | null {
  if (!ds) return null;
  const value = ds.string(TAG.CodeValue) ?? ds.string(TAG.LongCodeValue) ?? ds.string(TAG.URNCodeValue);
  const meaning = ds.text(TAG.CodeMeaning);
  if (value == null && meaning == null) return null;
  return { value: value ?? '', scheme: ds.string(TAG.CodingSchemeDesignator), meaning };
}

function normalise(s: string): string {
  const t = s.trim().toLowerCase();
  // Runs of white space, or white space other than a space, are rare: test before replacing.
  return /\s\s|[^\S ]/.test(t) ? t.replace(/\s+/g, ' ') : t;
}

// Concept lookups run for every sibling of every item: normalised meanings are computed once
// per concept, and once per content item (SrItem.meaningKey).
const conceptMeanings = new WeakMap<Concept, Set<string>>();

function meaningsOf(concept: Concept): Set<string> {
  let set = conceptMeanings.get(concept);
  if (!set) {
    set = new Set([concept.meaning, ...(concept.altMeanings ?? [])].map(normalise));
    conceptMeanings.set(concept, set);
  }
  return set;
}

function matches(code: Code | null, meaningKey: string | null, concept: Concept): boolean {
  if (!code) return false;
  if (code.value !== '' && concept.codes.includes(code.value)) return true;
  return meaningKey !== null && meaningsOf(concept).has(meaningKey);
}

export function codeMatches(code: Code | null, concept: Concept): boolean {
  return matches(code, code?.meaning == null ? null : normalise(code.meaning), concept);
}

export interface Measurement {
  value: number | null;
  unit: Code | null;
  /** The Numeric Value as the device wrote it (all its components), for messages; absent when not read from one. */
  written?: string | null;
}

interface ConceptIndex {
  codes: Map<string, number[]>;
  meanings: Map<string, number[]>;
}

const NONE: readonly number[] = [];

/** One content item of an SR tree. Children are read lazily and cached. */
export class SrItem {
  readonly ds: DicomDataset;
  private kids: SrItem[] | undefined;
  // Lookups by concept test every sibling's concept name: decode each one once.
  private conceptCache: Code | null | undefined;
  private meaningCache: string | null | undefined;
  private byConcept: ConceptIndex | undefined;

  constructor(ds: DicomDataset) {
    this.ds = ds;
  }

  get valueType(): string | null {
    return this.ds.string(TAG.ValueType);
  }

  get relationship(): string | null {
    return this.ds.string(TAG.RelationshipType);
  }

  get concept(): Code | null {
    if (this.conceptCache === undefined) this.conceptCache = readCode(this.ds.item(TAG.ConceptNameCodeSequence));
    return this.conceptCache;
  }

  /** The concept name's meaning, normalised for comparison. */
  private get meaningKey(): string | null {
    if (this.meaningCache === undefined) {
      const meaning = this.concept?.meaning;
      this.meaningCache = meaning == null ? null : normalise(meaning);
    }
    return this.meaningCache;
  }

  is(concept: Concept): boolean {
    return matches(this.concept, this.meaningKey, concept);
  }

  get children(): SrItem[] {
    if (!this.kids) this.kids = this.ds.sequence(TAG.ContentSequence).map((d) => new SrItem(d));
    return this.kids;
  }

  /**
   * Children by code value and by normalised meaning, built on first lookup: interventional
   * reports have hundreds of events and each event is searched for dozens of concepts.
   */
  private index(): ConceptIndex {
    if (this.byConcept) return this.byConcept;
    const index: ConceptIndex = { codes: new Map(), meanings: new Map() };
    const add = (map: Map<string, number[]>, key: string, at: number) => {
      const list = map.get(key);
      if (!list) map.set(key, [at]);
      else list.push(at);
    };
    const kids = this.children;
    for (let at = 0; at < kids.length; at++) {
      const kid = kids[at]!;
      const code = kid.concept;
      if (!code) continue;
      if (code.value) add(index.codes, code.value, at);
      const m = kid.meaningKey;
      if (m !== null) add(index.meanings, m, at);
    }
    this.byConcept = index;
    return index;
  }

  /** Positions of the children with this concept, in tree order. */
  private positions(concept: Concept): readonly number[] {
    const index = this.index();
    let found: readonly number[] | undefined;
    let merged = false;
    const take = (list: readonly number[] | undefined) => {
      if (!list || list === found) return;
      if (!found) found = list;
      else {
        found = [...found, ...list];
        merged = true;
      }
    };
    for (const c of concept.codes) take(index.codes.get(c));
    for (const m of meaningsOf(concept)) take(index.meanings.get(m));
    if (!found) return NONE;
    // A child matched by code and by meaning is one child.
    return merged ? [...new Set(found)].sort((a, b) => a - b) : found;
  }

  /** First direct child with this concept. */
  child(concept: Concept): SrItem | null {
    const at = this.positions(concept)[0];
    return at === undefined ? null : this.children[at]!;
  }

  /** All direct children with this concept, in tree order. */
  all(concept: Concept): SrItem[] {
    return this.positions(concept).map((at) => this.children[at]!);
  }

  /** First descendant (depth first, tree order) with this concept. */
  find(concept: Concept): SrItem | null {
    for (const c of this.children) {
      if (c.is(concept)) return c;
      const deeper = c.find(concept);
      if (deeper) return deeper;
    }
    return null;
  }

  /** CODE value. */
  get code(): Code | null {
    return readCode(this.ds.item(TAG.ConceptCodeSequence));
  }

  /** Meaning of a CODE value (what the contract stores for coded values). */
  get codeMeaning(): string | null {
    return this.code?.meaning ?? null;
  }

  /** TEXT value (also accepted from vendors that put text in other value types). */
  get text(): string | null {
    return this.ds.text(TAG.TextValue);
  }

  get uid(): string | null {
    return this.ds.string(TAG.UID);
  }

  get personName(): string | null {
    return this.ds.personName(TAG.PersonName);
  }

  /** NUM value with its unit; the Floating Point Value wins when present (it is exact). */
  get measurement(): Measurement {
    const mv = this.ds.item(TAG.MeasuredValueSequence);
    if (!mv) return { value: null, unit: null };
    const fp = mv.number(TAG.FloatingPointValue);
    const written = mv.text(TAG.NumericValue);
    const value = fp ?? parseDecimal(firstValue(written));
    return { value, unit: readCode(mv.item(TAG.MeasurementUnitsCodeSequence)), written };
  }

  get number(): number | null {
    return this.measurement.value;
  }

  /** DATETIME value as "YYYY-MM-DDTHH:MM:SS[.ffffff]". */
  get dateTime(): string | null {
    return parseDateTime(this.ds.string(TAG.DateTime));
  }

  get date(): string | null {
    return parseDate(this.ds.string(TAG.Date));
  }

  get time(): string | null {
    return parseTime(this.ds.string(TAG.Time));
  }

  /** Value of a child, by type, or null when the child is absent. */
  childText(concept: Concept): string | null {
    return this.child(concept)?.text ?? null;
  }

  childCode(concept: Concept): string | null {
    return this.child(concept)?.codeMeaning ?? null;
  }

  childNumber(concept: Concept): number | null {
    return this.child(concept)?.number ?? null;
  }

  childUid(concept: Concept): string | null {
    return this.child(concept)?.uid ?? null;
  }

  childDateTime(concept: Concept): string | null {
    return this.child(concept)?.dateTime ?? null;
  }
}

/** The root content item of an SR document (the data set itself). */
export function srRoot(ds: DicomDataset): SrItem {
  return new SrItem(ds);
}
