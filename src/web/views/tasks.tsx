// Background tasks: the administrators' page of queued, running and recent tasks, and the
// pieces other pages use to show a task of theirs (its live status, an abort button).
import { h, type Child, type SafeHtml } from '../jsx.js';
import type { TaskRecord } from '../../tasks/index.js';
import type { PageContext } from '../page.js';
import { STATIC_PREFIX } from '../urls.js';
import { CsrfField } from './forms.js';
import { Layout } from './layout.js';
import { Missing, UtcTime } from './values.js';

export const TASKS_ADMIN_PATH = '/admin/tasks';

export function taskAbortPath(id: number): string {
  return `/tasks/${id}/abort`;
}

/** Seconds between refreshes of the task list; running tasks' bars move every second. */
const LIST_REFRESH_S = 5;

/** The script that keeps task status and lists up to date (tasks.js). */
export function TaskScript(props: { ctx: PageContext }): SafeHtml {
  return <script src={`${STATIC_PREFIX}tasks.js?v=${encodeURIComponent(props.ctx.version)}`} defer />;
}

function percent(progress: number | null): string {
  return progress === null ? '' : `${Math.floor(progress * 100)} %`;
}

/**
 * A task's state, progress bar and message. While the task is queued or running, tasks.js
 * follows it through the JSON API.
 */
export function TaskStatus(props: { task: TaskRecord }): SafeHtml {
  const { task } = props;
  const live = task.state === 'queued' || task.state === 'running';
  return (
    <div class="task-status" data-task-id={live ? task.id : undefined} data-task-state={task.state}>
      <span class={`task-state ${task.state}`} data-task-state-text>
        {task.state}
      </span>
      {task.state === 'running' ? (
        <span class="task-progress">
          <progress max={1} value={task.progress ?? undefined} aria-label={`Progress of task ${task.id}`} />
          <span class="task-percent" data-task-percent>
            {percent(task.progress)}
          </span>
        </span>
      ) : null}
      <span class="task-message" data-task-message>
        {task.message ?? ''}
      </span>
      {task.abortRequested && live ? <span class="badge">abort requested</span> : null}
    </div>
  );
}

/** An abort button for a task that has not finished; `next` is where to come back to. */
export function AbortButton(props: { ctx: PageContext; task: TaskRecord; next: string }): SafeHtml | null {
  const { task } = props;
  if ((task.state !== 'queued' && task.state !== 'running') || task.abortRequested) return null;
  return (
    <form method="post" action={taskAbortPath(task.id)} class="abort-task">
      <CsrfField ctx={props.ctx} />
      <input type="hidden" name="next" value={props.next} />
      <button type="submit" class="danger" title={`Abort task ${task.id}`}>
        Abort
      </button>
    </form>
  );
}

/** A task as every task table names it: "#12 label", and anything said about it below. */
export function TaskNameCell(props: { task: TaskRecord; children?: Child }): SafeHtml {
  return (
    <td>
      <span class="task-id">#{props.task.id}</span> {props.task.label}
      {props.children}
    </td>
  );
}

/** Who asked for a task; tasks nobody asked for (clean-ups, recoveries) are the system's. */
export function TaskOwnerCell(props: { task: TaskRecord }): SafeHtml {
  return <td>{props.task.startedBy.name ?? <span class="missing">system</span>}</td>;
}

/** A task's time stamp (queued, started, ended), in UTC. */
export function TaskTimeCell(props: { iso: string | null }): SafeHtml {
  return (
    <td class="nowrap">
      <UtcTime iso={props.iso} />
    </td>
  );
}

function Outcome(props: { task: TaskRecord }): SafeHtml | null {
  const { task } = props;
  if (task.state === 'done' && task.result !== null) return <code class="task-result">{JSON.stringify(task.result)}</code>;
  return null;
}

function TaskTable(props: { ctx: PageContext; tasks: readonly TaskRecord[]; finished: boolean; empty: string }): SafeHtml {
  if (!props.tasks.length) return <p class="missing">{props.empty}</p>;
  return (
    <table class="data tasks">
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Started by</th>
          <th scope="col">Queued</th>
          <th scope="col">{props.finished ? 'Finished' : 'Started'}</th>
          <th scope="col">Status</th>
          <th scope="col">Worker</th>
          {props.finished ? null : <th scope="col">Action</th>}
        </tr>
      </thead>
      <tbody>
        {props.tasks.map((task) => (
          <tr data-task-row={task.id}>
            <TaskNameCell task={task}>
              <span class="note">
                {task.kind}
                {task.attempts > 1 ? `, attempt ${task.attempts} of ${task.maxAttempts}` : ''}
              </span>
            </TaskNameCell>
            <TaskOwnerCell task={task} />
            <TaskTimeCell iso={task.createdAt} />
            <TaskTimeCell iso={props.finished ? task.finishedAt : task.startedAt} />
            <td>
              <TaskStatus task={task} />
              {task.reason ? <span class="note task-reason">{task.reason}</span> : null}
              <Outcome task={task} />
            </td>
            <td>{task.worker ?? <Missing />}</td>
            {props.finished ? null : (
              <td>
                <AbortButton ctx={props.ctx} task={task} next={TASKS_ADMIN_PATH} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TaskListPage(props: {
  ctx: PageContext;
  queued: readonly TaskRecord[];
  running: readonly TaskRecord[];
  recent: readonly TaskRecord[];
  notice?: string | null;
}): SafeHtml {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title="Background tasks">
      <h1>Background tasks</h1>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      <div id="task-lists" data-refresh={LIST_REFRESH_S}>
        <section class="panel">
          <h2>
            Running <small>{props.running.length}</small>
          </h2>
          <TaskTable ctx={ctx} tasks={props.running} finished={false} empty="Nothing is running." />
        </section>
        <section class="panel">
          <h2>
            Queued <small>{props.queued.length}, oldest first</small>
          </h2>
          <TaskTable ctx={ctx} tasks={props.queued} finished={false} empty="Nothing is waiting." />
        </section>
        <section class="panel">
          <h2>
            Recent <small>newest first</small>
          </h2>
          <TaskTable ctx={ctx} tasks={props.recent} finished={true} empty="No task has finished yet." />
        </section>
      </div>
      <p class="meta">
        Tasks run in the web server unless it was started with <code>--no-worker</code>, and in any <code>openrem worker</code> process. A task whose worker
        stopped is started again when that is safe, or marked failed with the reason. Finished tasks are kept for a while, then removed.
      </p>
      <TaskScript ctx={ctx} />
    </Layout>
  );
}
