// A user's own account: changing the password.
import { h, type SafeHtml } from '../jsx.js';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.js';
import type { PageContext } from '../page.js';
import { CsrfField, ProblemSummary, TextField } from './forms.js';
import { Layout } from './layout.js';

export const PASSWORD_FIELD_LABELS: Record<string, string> = {
  current: 'Current password',
  password: 'New password',
  password2: 'New password again',
};

export function PasswordPage(props: { ctx: PageContext; errors?: Record<string, string>; changed?: boolean }): SafeHtml {
  const errors = props.errors ?? {};
  return (
    <Layout ctx={props.ctx} title="Change password">
      <section class="panel auth-panel">
        <h1>Change password</h1>
        {props.changed ? <p class="success">Your password has been changed. Your other sessions have been signed out.</p> : null}
        <ProblemSummary errors={errors} labels={PASSWORD_FIELD_LABELS} />
        <form method="post" action="/account/password" class="stacked">
          <CsrfField ctx={props.ctx} />
          <TextField name="current" label={PASSWORD_FIELD_LABELS.current!} type="password" autocomplete="current-password" required error={errors.current} />
          <TextField
            name="password"
            label={PASSWORD_FIELD_LABELS.password!}
            type="password"
            autocomplete="new-password"
            required
            error={errors.password}
            hint={`At least ${MIN_PASSWORD_LENGTH} characters; not your user name, a common password or a keyboard sequence. A few unrelated words make a good one.`}
          />
          <TextField name="password2" label={PASSWORD_FIELD_LABELS.password2!} type="password" autocomplete="new-password" required error={errors.password2} />
          <div class="actions">
            <button type="submit">Change password</button>
          </div>
        </form>
      </section>
    </Layout>
  );
}
