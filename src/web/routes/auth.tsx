// Signing in and out, and changing one's own password.
import { h } from '../jsx.js';
import { z } from 'zod';
import { recordAudit } from '../../audit/log.js';
import { clearFailures, lockedOutMinutes, recordFailure } from '../../auth/login-attempts.js';
import { passwordProblem } from '../../auth/passwords.js';
import { createSession, deleteExpiredSessions, deleteSession } from '../../auth/sessions.js';
import { authenticate, checkPassword, countUsers, findUserById, setPassword, toAuthUser, UserError } from '../../auth/users.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { cookieOptions, ensureAnonymousCsrf, SESSION_COOKIE } from '../auth/cookies.js';
import { fieldErrors, formFields, textValue } from '../forms.js';
import { landingPath, pageContext, sendPage } from '../page.js';
import { PasswordPage } from '../views/account.js';
import { LoginPage } from '../views/login.js';

/** Where to go after signing in: a path on this site only (never another site), not the sign-in page. */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 2000) return null;
  if (!next.startsWith('/') || next.startsWith('//') || [...next].some((c) => c === '\\' || c <= '\u001f' || c === '\u007f')) return null;
  if (next === '/login' || next.startsWith('/login?')) return null;
  return next;
}

const MISSING_CREDENTIALS = 'Enter your user name and password.';

const loginSchema = z.object({
  username: z.preprocess(textValue, z.string().trim().min(1, MISSING_CREDENTIALS).max(150, 'No user has a name that long.')),
  password: z.preprocess(textValue, z.string().min(1, MISSING_CREDENTIALS)),
  next: z.preprocess(textValue, z.string()),
});

const passwordSchema = z
  .object({
    current: z.preprocess(textValue, z.string().min(1, 'enter your current password')),
    password: z.preprocess(textValue, z.string().min(1, 'enter a new password')),
    password2: z.preprocess(textValue, z.string()),
  })
  .superRefine((v, ctx) => {
    if (v.password && v.password2 !== v.password) ctx.addIssue({ code: 'custom', path: ['password2'], message: 'the two new passwords differ' });
  });

export function registerAuthRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;
  const q = db.kysely;

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    const query = formFields(request.query);
    const next = safeNext(textValue(query.next));
    if (request.user) return reply.redirect(next ?? landingPath(request.user), 303);
    ensureAnonymousCsrf(request, reply);
    const notice = textValue(query.out) ? 'You have signed out.' : null;
    return sendPage(reply, <LoginPage ctx={pageContext(site, request)} next={next} notice={notice} firstRun={(await countUsers(q)) === 0} />);
  });

  app.post('/login', { config: { access: 'public' } }, async (request, reply) => {
    const fields = formFields(request.body);
    const next = safeNext(textValue(fields.next));
    const again = async (status: number, error: string, username = '') => {
      ensureAnonymousCsrf(request, reply);
      const firstRun = (await countUsers(q)) === 0;
      return sendPage(reply, <LoginPage ctx={pageContext(site, request)} next={next} username={username} error={error} firstRun={firstRun} />, status);
    };
    const parsed = loginSchema.safeParse(fields);
    if (!parsed.success) return again(400, Object.values(fieldErrors(parsed.error))[0]!, textValue(fields.username).trim());
    const { username, password } = parsed.data;
    const address = request.ip;
    const minutes = await lockedOutMinutes(q, username, address);
    if (minutes > 0) {
      reply.header('retry-after', String(minutes * 60));
      return again(
        429,
        `Too many failed sign-in attempts for this user name from your address. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an administrator to set a new password.`,
        username,
      );
    }
    const user = await authenticate(q, username, password);
    if (!user) {
      await recordFailure(q, username, address);
      await recordAudit(q, { actor: null, action: 'login.failed', target: `user ${username}`, details: { address } });
      return again(401, 'The user name or password is not right, or the account is deactivated.', username);
    }
    await clearFailures(q, username, address);
    await deleteExpiredSessions(q);
    const session = await createSession(q, user.id, { address, userAgent: request.headers['user-agent'] ?? null });
    reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(request));
    await recordAudit(q, { actor: user, action: 'login', target: `user ${user.username}`, details: { address } });
    return reply.redirect(next ?? landingPath(toAuthUser(user)), 303);
  });

  app.post('/logout', { config: { access: 'login' } }, async (request, reply) => {
    const user = currentUser(request);
    if (request.sessionHash) await deleteSession(q, request.sessionHash);
    reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
    await recordAudit(q, { actor: user, action: 'logout', target: `user ${user.username}` });
    return reply.redirect('/login?out=1', 303);
  });

  app.get('/account/password', { config: { access: 'login' } }, async (request, reply) => sendPage(reply, <PasswordPage ctx={pageContext(site, request)} />));

  app.post('/account/password', { config: { access: 'login' } }, async (request, reply) => {
    const me = currentUser(request);
    const page = (errors: Record<string, string>, status: number) => sendPage(reply, <PasswordPage ctx={pageContext(site, request)} errors={errors} />, status);
    const parsed = passwordSchema.safeParse(formFields(request.body));
    if (!parsed.success) return page(fieldErrors(parsed.error), 400);
    const { current, password } = parsed.data;
    const account = await findUserById(q, me.id);
    if (!account) return page({ current: 'your account no longer exists' }, 400);
    const minutes = await lockedOutMinutes(q, me.username, request.ip);
    if (minutes > 0) return page({ current: `too many wrong passwords; try again in ${minutes} minute${minutes === 1 ? '' : 's'}` }, 429);
    if (!(await checkPassword(q, me.id, current))) {
      await recordFailure(q, me.username, request.ip);
      return page({ current: 'this is not your current password' }, 400);
    }
    const weak = password === current ? 'must differ from the current password' : passwordProblem(password, [account.username, account.fullName]);
    if (weak) return page({ password: weak }, 400);
    try {
      await setPassword(q, account, password, { keepSessionHash: request.sessionHash ?? undefined });
    } catch (err) {
      if (err instanceof UserError) return page({ password: err.message }, 400);
      throw err;
    }
    await recordAudit(q, { actor: me, action: 'user.password', target: `user ${me.username}`, details: { by: 'self' } });
    return sendPage(reply, <PasswordPage ctx={pageContext(site, request)} changed />);
  });
}
