import { h, type Child, type SafeHtml } from '../jsx.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import type { PageContext } from '../page.js';
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
        </header>
        <main>{props.children}</main>
        <footer class="site-footer">
          <span>OpenREM {ctx.version}</span>
          <a href="/help">Documentation</a>
        </footer>
      </body>
    </html>
  );
}
