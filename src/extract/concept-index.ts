// The children of one SR content item, indexed by concept so each child's concept name is
// decoded once. Looking items up with SrItem.child decodes every sibling's concept again
// for each lookup, which costs seconds on interventional reports with hundreds of events.
// Matching is SrItem's: a code value listed for the concept, or its meaning (case and
// spacing ignored).
import type { Code, Concept, SrItem } from '../dicom/sr.js';

function fold(meaning: string): string {
  return meaning.trim().replace(/\s+/g, ' ').toLowerCase();
}

function keysOf(concept: Concept): string[] {
  return [...concept.codes.map((c) => `#${c}`), ...[concept.meaning, ...(concept.altMeanings ?? [])].map((m) => `=${fold(m)}`)];
}

export class ConceptIndex {
  readonly item: SrItem;
  private readonly byKey = new Map<string, { at: number; child: SrItem }[]>();

  constructor(item: SrItem) {
    this.item = item;
    item.children.forEach((child, at) => {
      const code: Code | null = child.concept;
      const keys = new Set<string>();
      if (code?.value) keys.add(`#${code.value}`);
      if (code?.meaning) keys.add(`=${fold(code.meaning)}`);
      for (const key of keys) {
        const list = this.byKey.get(key);
        if (list) list.push({ at, child });
        else this.byKey.set(key, [{ at, child }]);
      }
    });
  }

  /** Children with this concept, in tree order. */
  all(concept: Concept): SrItem[] {
    const found = new Map<number, SrItem>();
    for (const key of keysOf(concept)) for (const { at, child } of this.byKey.get(key) ?? []) found.set(at, child);
    return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, child]) => child);
  }

  /** First child with this concept. */
  first(concept: Concept): SrItem | null {
    let best: { at: number; child: SrItem } | null = null;
    for (const key of keysOf(concept)) {
      const hit = this.byKey.get(key)?.[0];
      if (hit && (!best || hit.at < best.at)) best = hit;
    }
    return best?.child ?? null;
  }

  /** Meaning of the first such child's coded value. */
  code(concept: Concept): string | null {
    return this.first(concept)?.codeMeaning ?? null;
  }

  text(concept: Concept): string | null {
    return this.first(concept)?.text ?? null;
  }

  uid(concept: Concept): string | null {
    return this.first(concept)?.uid ?? null;
  }

  dateTime(concept: Concept): string | null {
    return this.first(concept)?.dateTime ?? null;
  }
}
