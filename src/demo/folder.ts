// The demo's own folder: `openrem demo` writes made-up studies, and a superuser with a printed
// password, only into a folder it made itself, so pointing it at a real data folder cannot
// mix invented studies into real ones or reset a real account's password.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written by the demo into its folder; its presence says the folder is the demo's. */
export const DEMO_MARKER = '.openrem-demo';

const MARKER_TEXT = 'This folder was made by "openrem demo": its database holds made-up studies only.\n';

export type DemoFolder = { ok: true; created: boolean } | { ok: false; reason: string };

function isDirectory(path: string): boolean | null {
  try {
    return statSync(path).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Takes `dir` for the demo when it is the demo's already (it has the marker), empty, or absent
 * (then made); refuses any other folder, saying why.
 */
export function claimDemoFolder(dir: string): DemoFolder {
  const state = isDirectory(dir);
  if (state === false) return { ok: false, reason: `${dir} is a file, not a folder` };
  if (state === true) {
    const entries = readdirSync(dir);
    if (entries.includes(DEMO_MARKER)) return { ok: true, created: false };
    if (entries.length > 0) {
      return {
        ok: false,
        reason:
          `${dir} already holds files and was not made by openrem demo (it has no ${DEMO_MARKER} file). ` +
          'The demo writes made-up studies and a demo superuser only into a folder of its own: give a new or empty folder with --data-dir',
      };
    }
  } else {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(dir, DEMO_MARKER), MARKER_TEXT, { flag: 'wx' });
  return { ok: true, created: state === null };
}
