// The kinds of task this program ships: what `openrem worker` and `openrem serve` run. A new
// kind is defined next to the code it drives (src/export, src/ingest, ...) and listed here.
import { deleteSystemStudiesTask } from '../admin/delete-studies.js';
import { reapplyNotPatientTask } from '../admin/not-patient.js';
import { resortProjectionTask } from '../admin/projection-resort.js';
import { retryQuarantineTask } from '../ingest/quarantine-task.js';
import { sizeImportTask } from '../ptsize/task.js';
import { EXPORT_KINDS } from '../export/kinds.js';
import { TaskRegistry } from './kind.js';

export const productTaskKinds = new TaskRegistry([
  deleteSystemStudiesTask,
  resortProjectionTask,
  reapplyNotPatientTask,
  sizeImportTask,
  retryQuarantineTask,
  ...EXPORT_KINDS,
]);
