// The kinds of task this program ships: what `openrem worker` and `openrem serve` run. A new
// kind is defined next to the code it drives (src/export, src/ingest, ...) and listed here.
import { TaskRegistry } from './kind.js';

export const productTaskKinds = new TaskRegistry([]);
