// Durable background tasks: work that outlives a request (exports, patient-size imports,
// query-retrieve, skin maps) is queued in the database and run by workers, in the web server
// (`openrem serve`) or on their own (`openrem worker`, any number, on any machine sharing a
// PostgreSQL database). Tasks survive restarts: one whose worker died is queued again or
// failed with the reason.
//
// A kind of task, defined next to the code it drives and listed in ./kinds.ts:
//
//   export const ctExport = defineTaskKind({
//     name: 'export.ct',                      // stored with each task: never rename
//     title: 'CT export',
//     params: z.object({ filter: ctFilterSchema, format: z.enum(['csv', 'xlsx']) }),
//     retry: true,                            // safe to run again from the start after a crash
//     async run(params, ctx) {
//       const file = join(ctx.dataDir, 'exports', `ct-${ctx.taskId}.${params.format}`);
//       ctx.removeOnFailure(file);            // deleted if it fails, is aborted or interrupted
//       for (const [i, study] of studies.entries()) {
//         ctx.signal.throwIfAborted();        // abort: stop promptly
//         ...
//         ctx.progress((i + 1) / studies.length, `${i + 1} of ${studies.length} studies`);
//       }
//       return { file: relative(ctx.dataDir, file), rows: studies.length };   // the task's result
//     },
//   });
//
// Queue one from a route or a command (parameters are checked by the kind's schema first):
//
//   const task = await enqueueTask(db, ctExport, params, { startedBy: { id: user.id, name: user.username }, label: 'CT export (2024)' });
//   reply.redirect(`/exports?task=${task.id}`);
//
// Follow it: getTask(db, id), or GET /api/tasks/:id (its owner and admins only) → TaskRecord
// as JSON. A page shows one with <TaskStatus task={task} /> and <TaskScript ctx={ctx} /> from
// src/web/views/tasks.tsx: the script moves its progress bar and message until it ends (then
// a "task-finished" event bubbles up). Abort it: requestAbort(db, id, actor), or from a page
// <AbortButton ctx={ctx} task={task} next="/exports" />, which posts to /tasks/:id/abort and
// comes back to `next` with `abort=<outcome>&task=<id>` added. Admins see every task at
// /admin/tasks.
//
// States: queued → running (progress 0..1, message) → done (result) | failed (reason) |
// aborted (reason). A handler that throws fails its task with the error's message; when its
// signal has fired the task ends aborted (or, when its worker is stopping, goes back to the
// queue). Finished tasks are pruned after DEFAULT_RETENTION (days, rows); pruning removes the
// task's row only, not files it wrote, which belong to the feature that made them. A run whose
// process died cannot remove its partial output: a kind that leaves some defines
// `abandoned({ taskId, params, dataDir, ... })`, which the worker that finds the task ended
// (failed, or aborted while nobody ran it) calls instead.
export { defineTaskKind, TaskRegistry, type AbandonedTask, type AnyTaskKind, type ParamsSchema, type TaskContext, type TaskKind } from './kind.js';
export {
  enqueueTask,
  FINAL_STATES,
  getTask,
  listTasks,
  countTasks,
  requestAbort,
  SYSTEM,
  type AbortOutcome,
  type Actor,
  type EnqueueOptions,
  type TaskFilter,
  type TaskRecord,
  type TaskState,
} from './queue.js';
export { DEFAULT_RETENTION, pruneTasks, type Retention } from './prune.js';
export { TaskInterruptedError, TaskWorker, type WorkerOptions } from './worker.js';
