// The sign-in page, with the first-run instructions while no account exists.
import { h, type SafeHtml } from '../jsx.js';
import type { PageContext } from '../page.js';
import { CsrfField, TextField } from './forms.js';
import { Layout } from './layout.js';

/** How the first administrator is made: there is no account yet to make one on a page. */
export const FIRST_ADMIN_COMMAND = 'openrem users create NAME --admin';

export function FirstRun(): SafeHtml {
  return (
    <section class="notice first-run" id="first-run">
      <h2>Welcome to OpenREM: create the first administrator</h2>
      <p>There are no user accounts yet. On the server, run</p>
      <p>
        <code class="command">{FIRST_ADMIN_COMMAND}</code>
      </p>
      <p>
        with the same <code>OPENREM_DATA_DIR</code> or <code>DATABASE_URL</code> as the web server, and NAME replaced by the user name you want. It asks
        twice for the password (at least 10 characters). Then sign in here; further users are added under Users.
      </p>
    </section>
  );
}

export function LoginPage(props: {
  ctx: PageContext;
  next: string | null;
  username?: string;
  error?: string | null;
  notice?: string | null;
  firstRun: boolean;
}): SafeHtml {
  return (
    <Layout ctx={props.ctx} title="Sign in">
      <div class="auth-page">
        {props.firstRun ? <FirstRun /> : null}
        <section class="panel auth-panel">
          <h1>Sign in</h1>
          {props.notice ? <p class="success">{props.notice}</p> : null}
          {props.error ? (
            <p class="form-problems" role="alert">
              {props.error}
            </p>
          ) : null}
          <form method="post" action="/login" class="stacked">
            <CsrfField ctx={props.ctx} />
            {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
            <TextField name="username" label="User name" value={props.username ?? ''} autocomplete="username" required autofocus={!props.username} maxlength={150} />
            <TextField name="password" label="Password" type="password" autocomplete="current-password" required autofocus={Boolean(props.username)} />
            <div class="actions">
              <button type="submit">Sign in</button>
            </div>
          </form>
        </section>
      </div>
    </Layout>
  );
}
