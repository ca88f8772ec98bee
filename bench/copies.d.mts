// Types of copies.mjs, for the tests that make copies of corpus objects with fresh UIDs.
export function withCopyNumber(uid: string, n: number): string;
export function makeCopies(sourceFile: string, outDir: string, count: number, prefix: string): string[];
