import { h, type SafeHtml } from '../jsx.js';
import { landingPath, type PageContext } from '../page.js';
import { Layout } from './layout.js';

export function ErrorPage(props: { ctx: PageContext; status: number; title: string; message: string; problems?: readonly string[]; reference?: string }): SafeHtml {
  // Never back to a page this user is refused (the home page needs the view role).
  const back = landingPath(props.ctx.user);
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <section class="panel error-page" data-status={props.status}>
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        {props.problems?.length ? (
          <ul class="problems">
            {props.problems.map((p) => (
              <li>
                <code>{p}</code>
              </li>
            ))}
          </ul>
        ) : null}
        {props.reference ? (
          <p class="reference">
            Reference for the administrator: <code>{props.reference}</code>
          </p>
        ) : null}
        <p>
          <a href={back}>{back === '/' ? 'Back to the home page' : 'Go to your account'}</a>
        </p>
      </section>
    </Layout>
  );
}
