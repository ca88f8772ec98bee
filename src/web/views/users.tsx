// User administration: the list of accounts, and the form to add or change one.
import { h, type SafeHtml } from '../jsx.js';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.js';
import { ROLE_DESCRIPTIONS, ROLE_MODEL_NOTE, ROLES, type Role } from '../../auth/roles.js';
import { USERNAME_RULE, type UserRecord } from '../../auth/users.js';
import type { PageContext } from '../page.js';
import { CsrfField, FieldError, ProblemSummary, TextField } from './forms.js';
import { Layout } from './layout.js';
import { Missing, UtcTime } from './values.js';

export function userPath(id: number): string {
  return `/admin/users/${id}`;
}

export const USER_FIELD_LABELS: Record<string, string> = {
  username: 'User name',
  fullName: 'Full name',
  email: 'E-mail',
  roles: 'Roles',
  isSuperuser: 'Superuser',
  isActive: 'Active',
  password: 'Password',
  password2: 'Password again',
};

function RoleList(props: { user: Pick<UserRecord, 'roles' | 'isSuperuser'> }): SafeHtml {
  if (props.user.isSuperuser) return <span class="role superuser">superuser (every role)</span>;
  if (!props.user.roles.length) return <span class="missing">no roles</span>;
  return (
    <span class="roles">
      {props.user.roles.map((r) => (
        <span class="role" title={ROLE_DESCRIPTIONS[r]}>
          {r}
        </span>
      ))}
    </span>
  );
}

export function UserListPage(props: { ctx: PageContext; users: readonly UserRecord[]; notice?: string | null }): SafeHtml {
  return (
    <Layout ctx={props.ctx} title="Users">
      <h1>Users</h1>
      {props.notice ? <p class="success">{props.notice}</p> : null}
      <p class="toolbar-links">
        <a href="/admin/users/new" class="button-link">
          Add a user
        </a>
        <a href="/admin/audit">Audit log</a>
      </p>
      <section class="panel">
        <table class="data users">
          <thead>
            <tr>
              <th scope="col">User name</th>
              <th scope="col">Full name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((u) => (
              <tr class={u.isActive ? undefined : 'inactive'} data-username={u.username}>
                <td>
                  <a href={userPath(u.id)}>{u.username}</a>
                </td>
                <td>{u.fullName || <Missing />}</td>
                <td>{u.email ?? <Missing />}</td>
                <td>
                  <RoleList user={u} />
                </td>
                <td>{u.isActive ? 'active' : 'deactivated'}</td>
                <td><UtcTime iso={u.lastLoginAt} precision="minute" /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="panel">
        <h2>Roles</h2>
        <dl class="role-help">
          {ROLES.map((r) => (
            <div>
              <dt>{r}</dt>
              <dd>{ROLE_DESCRIPTIONS[r]}</dd>
            </div>
          ))}
        </dl>
        <p>{ROLE_MODEL_NOTE}</p>
        <p>A superuser holds every role. Only a superuser can make another superuser or change a superuser's account.</p>
      </section>
    </Layout>
  );
}

export interface UserFormValues {
  username: string;
  fullName: string;
  email: string;
  roles: readonly Role[];
  isSuperuser: boolean;
  isActive: boolean;
}

export function UserFormPage(props: { ctx: PageContext; user: UserRecord | null; values: UserFormValues; errors?: Record<string, string> }): SafeHtml {
  const { user, values } = props;
  const errors = props.errors ?? {};
  const me = props.ctx.user;
  const isSelf = user !== null && me?.id === user.id;
  const title = user ? `User ${user.username}` : 'Add a user';
  return (
    <Layout ctx={props.ctx} title={title}>
      <section class="panel user-form">
        <p>
          <a href="/admin/users">‹ All users</a>
        </p>
        <h1>{title}</h1>
        {user ? (
          <p class="meta">
            Created <UtcTime iso={user.createdAt} precision="minute" />; last sign-in <UtcTime iso={user.lastLoginAt} precision="minute" />; password changed{' '}
            <UtcTime iso={user.passwordChangedAt} precision="minute" />.
          </p>
        ) : null}
        <ProblemSummary errors={errors} labels={USER_FIELD_LABELS} />
        <form method="post" action={user ? userPath(user.id) : '/admin/users'} class="stacked">
          <CsrfField ctx={props.ctx} />
          <TextField
            name="username"
            label={USER_FIELD_LABELS.username!}
            value={values.username}
            readonly={user !== null}
            required
            autocomplete="off"
            maxlength={150}
            error={errors.username}
            hint={user ? 'User names cannot be changed.' : `Unique regardless of case; ${USERNAME_RULE}.`}
          />
          <TextField name="fullName" label={USER_FIELD_LABELS.fullName!} value={values.fullName} maxlength={200} error={errors.fullName} autocomplete="off" />
          <TextField name="email" label={USER_FIELD_LABELS.email!} type="email" value={values.email} maxlength={254} error={errors.email} autocomplete="off" />
          <fieldset class={errors.roles ? 'roles-choice invalid' : 'roles-choice'}>
            <legend>{USER_FIELD_LABELS.roles}</legend>
            {ROLES.map((r) => (
              <label class="check">
                <input type="checkbox" name="roles" value={r} checked={values.roles.includes(r)} /> <strong>{r}</strong>: {ROLE_DESCRIPTIONS[r]}
              </label>
            ))}
            <p class="hint">{ROLE_MODEL_NOTE}</p>
            <FieldError id="field-roles" message={errors.roles} />
          </fieldset>
          {me?.isSuperuser ? (
            <label class="check">
              <input type="checkbox" name="isSuperuser" value="1" checked={values.isSuperuser} disabled={isSelf} /> <strong>Superuser</strong>: every role,
              now and in future
              <FieldError id="field-isSuperuser" message={errors.isSuperuser} />
            </label>
          ) : null}
          {user ? (
            <label class="check">
              <input type="checkbox" name="isActive" value="1" checked={values.isActive} disabled={isSelf} /> <strong>Active</strong>: may sign in
              <FieldError id="field-isActive" message={errors.isActive} />
            </label>
          ) : null}
          <fieldset class="password-choice">
            <legend>{user ? 'Set a new password (leave empty to keep the current one)' : 'Password'}</legend>
            <TextField
              name="password"
              label={USER_FIELD_LABELS.password!}
              type="password"
              autocomplete="new-password"
              required={user === null}
              error={errors.password}
              hint={`At least ${MIN_PASSWORD_LENGTH} characters; not the user name, a common password or a keyboard sequence.`}
            />
            <TextField name="password2" label={USER_FIELD_LABELS.password2!} type="password" autocomplete="new-password" required={user === null} error={errors.password2} />
          </fieldset>
          <div class="actions">
            <button type="submit">{user ? 'Save changes' : 'Add user'}</button>
          </div>
        </form>
      </section>
      {user && user.isActive && !isSelf ? (
        <section class="panel danger-zone">
          <h2>Deactivate</h2>
          <p>A deactivated user cannot sign in and is signed out at once. The account and its audit history are kept; tick Active above to restore it.</p>
          <form method="post" action={`${userPath(user.id)}/deactivate`}>
            <CsrfField ctx={props.ctx} />
            <button type="submit" class="danger">
              Deactivate {user.username}
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
