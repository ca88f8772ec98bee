// User administration (admin role): list, add, change, deactivate; and the audit log.
import { h } from '../jsx.js';
import { z } from 'zod';
import { readAudit, recordAudit } from '../../audit/log.js';
import { passwordProblem } from '../../auth/passwords.js';
import { ROLES, type Role } from '../../auth/roles.js';
import { createUser, findUserById, findUserByName, listUsers, setPassword, updateUser, USERNAME_PATTERN, USERNAME_RULE, type AuthUser, type UserChanges, type UserRecord } from '../../auth/users.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { HttpError, notFound } from '../errors.js';
import { checkboxValue, fieldErrors, formFields, listValue, parseId, textValue } from '../forms.js';
import { pageContext, sendPage } from '../page.js';
import { AuditPage } from '../views/audit.js';
import { UserFormPage, UserListPage, type UserFormValues } from '../views/users.js';

const AUDIT_PAGE_SIZE = 100;

const userFormSchema = z.object({
  username: z.preprocess(textValue, z.string().trim().min(1, 'enter a user name').regex(USERNAME_PATTERN, USERNAME_RULE)),
  fullName: z.preprocess(textValue, z.string().trim().max(200, 'at most 200 characters')),
  email: z.preprocess((v) => textValue(v).trim(), z.union([z.literal(''), z.email({ error: 'not a valid e-mail address' }).max(254, 'at most 254 characters')])),
  roles: z.preprocess(listValue, z.array(z.enum(ROLES, { error: `unknown role; roles are ${ROLES.join(', ')}` }))),
  isSuperuser: z.preprocess(checkboxValue, z.boolean()),
  isActive: z.preprocess(checkboxValue, z.boolean()),
  password: z.preprocess(textValue, z.string()),
  password2: z.preprocess(textValue, z.string()),
});

type UserForm = z.infer<typeof userFormSchema>;

/** What the form shows when sent back: the values as typed, whatever their problems. */
function valuesAsSent(fields: Record<string, unknown>, user: UserRecord | null): UserFormValues {
  return {
    username: user?.username ?? textValue(fields.username).trim(),
    fullName: textValue(fields.fullName),
    email: textValue(fields.email),
    roles: listValue(fields.roles).filter((r): r is Role => (ROLES as readonly string[]).includes(r)),
    isSuperuser: checkboxValue(fields.isSuperuser),
    isActive: user ? checkboxValue(fields.isActive) : true,
  };
}

function valuesOf(user: UserRecord): UserFormValues {
  return { username: user.username, fullName: user.fullName, email: user.email ?? '', roles: user.roles, isSuperuser: user.isSuperuser, isActive: user.isActive };
}

/** An admin who is not a superuser may not touch a superuser's account (nor make one). */
function assertMayChange(me: AuthUser, target: UserRecord): void {
  if (target.isSuperuser && !me.isSuperuser) throw new HttpError(403, 'Not allowed', `Only a superuser can change the account of ${target.username}, who is a superuser.`);
}

/** Password problems, found from the text as sent so they show alongside any other problem. */
function passwordErrors(fields: Record<string, unknown>, username: string, required: boolean): Record<string, string> {
  const password = textValue(fields.password);
  if (!password) return required ? { password: 'enter a password for the new user' } : {};
  const weak = passwordProblem(password, [username, textValue(fields.fullName)]);
  if (weak) return { password: weak };
  return textValue(fields.password2) === password ? {} : { password2: 'the two passwords differ' };
}

/** Changes an administrator may not make: superusers, and locking themselves out. */
function permissionErrors(form: UserForm, me: AuthUser, target: UserRecord | null): Record<string, string> {
  const errors: Record<string, string> = {};
  const wantsSuperuser = target && target.id === me.id ? target.isSuperuser : form.isSuperuser;
  if (wantsSuperuser !== (target?.isSuperuser ?? false) && !me.isSuperuser) errors.isSuperuser = 'only a superuser can make or unmake superusers';
  if (target && target.id === me.id && !me.isSuperuser && !form.roles.includes('admin')) {
    errors.roles = 'you cannot remove your own admin role; another administrator can';
  }
  return errors;
}

/** Every problem of a user form: its shape, the password and the permissions, at once. */
function formProblems(fields: Record<string, unknown>, me: AuthUser, target: UserRecord | null): { form: UserForm | null; errors: Record<string, string> } {
  const parsed = userFormSchema.safeParse(fields);
  const shape = parsed.success ? permissionErrors(parsed.data, me, target) : fieldErrors(parsed.error);
  const errors = { ...shape, ...passwordErrors(fields, target?.username ?? textValue(fields.username).trim(), target === null) };
  return { form: parsed.success ? parsed.data : null, errors };
}

export function registerUserRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;
  const q = db.kysely;

  app.get('/admin/users', { config: { access: 'admin' } }, async (request, reply) => {
    const query = formFields(request.query);
    const notices: [string, (name: string) => string][] = [
      ['created', (n) => `User ${n} added.`],
      ['saved', (n) => `Changes to ${n} saved.`],
      ['deactivated', (n) => `${n} deactivated and signed out.`],
    ];
    const notice = notices.map(([key, say]) => (textValue(query[key]) ? say(textValue(query[key])) : null)).find(Boolean) ?? null;
    return sendPage(reply, <UserListPage ctx={pageContext(site, request)} users={await listUsers(q)} notice={notice} />);
  });

  app.get('/admin/users/new', { config: { access: 'admin' } }, async (request, reply) =>
    sendPage(
      reply,
      <UserFormPage ctx={pageContext(site, request)} user={null} values={{ username: '', fullName: '', email: '', roles: ['view'], isSuperuser: false, isActive: true }} />,
    ),
  );

  app.post('/admin/users', { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const fields = formFields(request.body);
    const again = (errors: Record<string, string>) =>
      sendPage(reply, <UserFormPage ctx={pageContext(site, request)} user={null} values={valuesAsSent(fields, null)} errors={errors} />, 400);
    const { form, errors } = formProblems(fields, me, null);
    if (form && !errors.username && (await findUserByName(q, form.username))) errors.username = 'a user with this name already exists (names are compared regardless of case)';
    if (!form || Object.keys(errors).length) return again(errors);
    const user = await createUser(q, {
      username: form.username,
      password: form.password,
      fullName: form.fullName,
      email: form.email || null,
      roles: form.roles,
      isSuperuser: form.isSuperuser,
    });
    await recordAudit(q, { actor: me, action: 'user.create', target: `user ${user.username}`, details: { roles: user.roles, superuser: user.isSuperuser } });
    return reply.redirect(`/admin/users?created=${encodeURIComponent(user.username)}`, 303);
  });

  const loadTarget = async (idText: string): Promise<UserRecord> => {
    const id = parseId(idText);
    const user = id === null ? null : await findUserById(q, id);
    if (!user) throw notFound(`There is no user ${idText}.`);
    return user;
  };

  app.get<{ Params: { id: string } }>('/admin/users/:id', { config: { access: 'admin' } }, async (request, reply) => {
    const user = await loadTarget(request.params.id);
    return sendPage(reply, <UserFormPage ctx={pageContext(site, request)} user={user} values={valuesOf(user)} />);
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id', { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const target = await loadTarget(request.params.id);
    assertMayChange(me, target);
    const fields = formFields(request.body);
    const again = (errors: Record<string, string>) =>
      sendPage(reply, <UserFormPage ctx={pageContext(site, request)} user={target} values={valuesAsSent(fields, target)} errors={errors} />, 400);
    // The name cannot change; a disabled checkbox is not sent, so one's own flags stay as they are.
    const isSelf = target.id === me.id;
    const { form, errors } = formProblems(
      {
        ...fields,
        username: target.username,
        ...(isSelf ? { isActive: target.isActive ? '1' : '', isSuperuser: target.isSuperuser ? '1' : '' } : {}),
      },
      me,
      target,
    );
    if (!form || Object.keys(errors).length) return again(errors);

    const changes: UserChanges = {};
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    const note = <K extends keyof UserChanges>(key: K, from: UserChanges[K], to: UserChanges[K]) => {
      if (JSON.stringify(from) === JSON.stringify(to)) return;
      changes[key] = to;
      changed[key] = { from, to };
    };
    note('fullName', target.fullName, form.fullName);
    note('email', target.email, form.email || null);
    note('roles', target.roles, ROLES.filter((r) => form.roles.includes(r)));
    note('isSuperuser', target.isSuperuser, form.isSuperuser);
    note('isActive', target.isActive, form.isActive);
    await updateUser(q, target.id, changes);
    if (Object.keys(changed).length) await recordAudit(q, { actor: me, action: 'user.update', target: `user ${target.username}`, details: changed });
    if (form.password) {
      await setPassword(q, target, form.password, { keepSessionHash: isSelf ? (request.sessionHash ?? undefined) : undefined });
      await recordAudit(q, { actor: me, action: 'user.password', target: `user ${target.username}`, details: { by: 'administrator' } });
    }
    return reply.redirect(`/admin/users?saved=${encodeURIComponent(target.username)}`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/deactivate', { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const target = await loadTarget(request.params.id);
    assertMayChange(me, target);
    if (target.id === me.id) throw new HttpError(400, 'Not possible', 'You cannot deactivate your own account; another administrator can.');
    if (target.isActive) {
      await updateUser(q, target.id, { isActive: false });
      await recordAudit(q, { actor: me, action: 'user.deactivate', target: `user ${target.username}` });
    }
    return reply.redirect(`/admin/users?deactivated=${encodeURIComponent(target.username)}`, 303);
  });

  app.get('/admin/audit', { config: { access: 'admin' } }, async (request, reply) => {
    const pageText = textValue(formFields(request.query).page) || '1';
    const page = /^[1-9]\d{0,5}$/.test(pageText) ? Number(pageText) : 1;
    const entries = await readAudit(q, { limit: AUDIT_PAGE_SIZE + 1, offset: (page - 1) * AUDIT_PAGE_SIZE });
    return sendPage(reply, <AuditPage ctx={pageContext(site, request)} entries={entries.slice(0, AUDIT_PAGE_SIZE)} page={page} hasMore={entries.length > AUDIT_PAGE_SIZE} />);
  });
}
