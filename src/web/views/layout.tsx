import { h, type Child, type SafeHtml } from '../jsx.js';
import type { Access } from '../../auth/roles.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import { landingPath, may, type PageContext } from '../page.js';
import { CONFIG_PAGES, CONFIG_PATH } from '../config-pages.js';
import { CsrfField } from './forms.js';
import { EXPORTS_PATH } from './exports.js';
import { PTSIZE_PATH } from './ptsize.js';
import { QUARANTINE_PATH } from './quarantine.js';
import { TASKS_ADMIN_PATH } from './tasks.js';
import { HELP_PATH, HELP_TOPICS, helpTopicPath, modalityListPath, STATIC_PREFIX } from '../urls.js';

/** A path belongs to a section when it is the section's page or a page below it. */
export function inSection(path: string, section: string): boolean {
  return path === section || path.startsWith(`${section}/`);
}

interface MenuLink {
  href: string;
  label: string;
  access: Access;
  /** The sections the link stands for: it is marked current on their pages. */
  sections: readonly string[];
}

/** The header's links besides the modalities and the Config menu, for those who may use them. */
function menuLinks(): readonly MenuLink[] {
  // Built when a page is drawn: the views that define these paths draw pages with this layout.
  return [
    { href: EXPORTS_PATH, label: 'Exports', access: 'export', sections: [EXPORTS_PATH] },
    { href: PTSIZE_PATH, label: 'Patient size', access: 'importsize', sections: [PTSIZE_PATH] },
    { href: '/admin/users', label: 'Users', access: 'admin', sections: ['/admin/users', '/admin/audit'] },
    { href: TASKS_ADMIN_PATH, label: 'Tasks', access: 'admin', sections: [TASKS_ADMIN_PATH] },
    { href: QUARANTINE_PATH, label: 'Quarantine', access: 'admin', sections: [QUARANTINE_PATH] },
  ];
}

export function Layout(props: { ctx: PageContext; title: string; children?: Child }): SafeHtml {
  const { ctx } = props;
  const versioned = (file: string) => `${STATIC_PREFIX}${file}?v=${encodeURIComponent(ctx.version)}`;
  const modalities = MODALITY_SPECS.filter((s) => ctx.modalities.includes(s.modality));
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
          <a class="brand" href={landingPath(ctx.user)}>
            OpenREM
          </a>
          {may(ctx, 'view') && modalities.length ? (
            <nav aria-label="Modalities">
              <ul>
                {modalities.map((s) => {
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
          <span class="version">OpenREM {ctx.version}</span>
          <nav aria-label="Documentation" class="help-links">
            <a href={HELP_PATH} aria-current={ctx.path === HELP_PATH ? 'page' : undefined}>
              Documentation
            </a>
            {HELP_TOPICS.map((t) => (
              <a href={helpTopicPath(t.id)}>{t.title}</a>
            ))}
          </nav>
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
      <summary aria-current={inSection(ctx.path, CONFIG_PATH) ? 'page' : undefined}>Config</summary>
      <ul>
        {may(ctx, 'admin') ? (
          <li>
            <a href={CONFIG_PATH} aria-current={ctx.path === CONFIG_PATH ? 'page' : undefined}>
              Overview
            </a>
          </li>
        ) : null}
        {pages.map((p) => (
          <li>
            <a href={p.path} aria-current={inSection(ctx.path, p.path) ? 'page' : undefined}>
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
      {menuLinks()
        .filter((l) => may(ctx, l.access))
        .map((l) => (
          <a href={l.href} class="admin-link" aria-current={l.sections.some((s) => inSection(ctx.path, s)) ? 'page' : undefined}>
            {l.label}
          </a>
        ))}
      <a href="/account/password" class="account-link" title={ctx.user.fullName || undefined} aria-current={ctx.path === '/account/password' ? 'page' : undefined}>
        <span class="username">{ctx.user.username}</span>
      </a>
      <form method="post" action="/logout" class="sign-out">
        <CsrfField ctx={ctx} />
        <button type="submit">Sign out</button>
      </form>
    </div>
  );
}
