import { h, type Child, type SafeHtml } from '../jsx.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import { may, type PageContext } from '../page.js';
import { CONFIG_PAGES, CONFIG_PATH } from '../config-pages.js';
import { CsrfField } from './forms.js';
import { modalityListPath, STATIC_PREFIX } from '../urls.js';

export function Layout(props: { ctx: PageContext; title: string; children?: Child }): SafeHtml {
  const { ctx } = props;
  const versioned = (file: string) => `${STATIC_PREFIX}${file}?v=${encodeURIComponent(ctx.version)}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · OpenREM</title>
        <link rel="icon" href={versioned('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={versioned('openrem.css')} />
        <script src={versioned('openrem.js')} defer />
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="/">
            OpenREM
          </a>
          {may(ctx, 'view') ? (
            <nav aria-label="Modalities">
              <ul>
                {MODALITY_SPECS.map((s) => {
                  const path = modalityListPath(s);
                  return (
                    <li>
                      <a href={path} aria-current={ctx.path === path ? 'page' : undefined}>
                        {s.title}
                      </a>
                    </li>
                  );
                })}
              </ul>
            </nav>
          ) : null}
          <UserMenu ctx={ctx} />
        </header>
        <main>{props.children}</main>
        <footer class="site-footer">
          <span>OpenREM {ctx.version}</span>
          {ctx.user ? <a href="/help">Documentation</a> : null}
        </footer>
      </body>
    </html>
  );
}

/** The configuration pages the user may open (administrators all; view users the display names). */
function ConfigMenu(props: { ctx: PageContext }): SafeHtml | null {
  const { ctx } = props;
  const pages = CONFIG_PAGES.filter((p) => may(ctx, p.access));
  if (pages.length === 0) return null;
  return (
    <details class="config-menu">
      <summary aria-current={ctx.path.startsWith(CONFIG_PATH) ? 'page' : undefined}>Config</summary>
      <ul>
        {may(ctx, 'admin') ? (
          <li>
            <a href={CONFIG_PATH}>Overview</a>
          </li>
        ) : null}
        {pages.map((p) => (
          <li>
            <a href={p.path} aria-current={ctx.path.startsWith(p.path) ? 'page' : undefined}>
              {p.title}
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** Who is signed in, what else they may open, and signing out. */
function UserMenu(props: { ctx: PageContext }): SafeHtml {
  const { ctx } = props;
  if (!ctx.user) return ctx.path === '/login' ? <span class="user-menu" /> : <span class="user-menu"><a href="/login">Sign in</a></span>;
  return (
    <div class="user-menu">
      <ConfigMenu ctx={ctx} />
      {may(ctx, 'admin') ? (
        <a href="/admin/users" class="admin-link" aria-current={ctx.path.startsWith('/admin/users') || ctx.path === '/admin/audit' ? 'page' : undefined}>
          Users
        </a>
      ) : null}
      {may(ctx, 'admin') ? (
        <a href="/admin/tasks" class="admin-link" aria-current={ctx.path === '/admin/tasks' ? 'page' : undefined}>
          Tasks
        </a>
      ) : null}
      {may(ctx, 'admin') ? (
        <a href="/admin/quarantine" class="admin-link" aria-current={ctx.path === '/admin/quarantine' ? 'page' : undefined}>
          Quarantine
        </a>
      ) : null}
      {may(ctx, 'importsize') ? (
        <a href="/ptsize" class="admin-link" aria-current={ctx.path.startsWith('/ptsize') ? 'page' : undefined}>
          Patient size
        </a>
      ) : null}
      <a href="/account/password" class="account-link" title={ctx.user.fullName || undefined}>
        <span class="username">{ctx.user.username}</span>
      </a>
      <form method="post" action="/logout" class="sign-out">
        <CsrfField ctx={ctx} />
        <button type="submit">Sign out</button>
      </form>
    </div>
  );
}
