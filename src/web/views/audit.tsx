// The audit log for administrators: newest first.
import { h, type SafeHtml } from '../jsx.js';
import type { StoredAuditEntry } from '../../audit/log.js';
import type { PageContext } from '../page.js';
import { Layout } from './layout.js';
import { Missing, UtcTime } from './values.js';

export function AuditPage(props: { ctx: PageContext; entries: readonly StoredAuditEntry[]; page: number; hasMore: boolean }): SafeHtml {
  const { page } = props;
  return (
    <Layout ctx={props.ctx} title="Audit log">
      <p>
        <a href="/admin/users">‹ Users</a>
      </p>
      <h1>Audit log</h1>
      <section class="panel">
        {props.entries.length ? (
          <table class="data audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {props.entries.map((e) => (
                <tr>
                  <td class="nowrap">
                    <UtcTime iso={e.at} />
                  </td>
                  <td>{e.actor ?? <Missing />}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target ?? <Missing />}</td>
                  <td>{e.details ? <code class="details">{JSON.stringify(e.details)}</code> : <Missing />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="missing">Nothing recorded{page > 1 ? ' on this page' : ' yet'}.</p>
        )}
        <nav class="pager" aria-label="Pages">
          {page > 1 ? <a href={page === 2 ? '/admin/audit' : `/admin/audit?page=${page - 1}`}>‹ Newer</a> : <span class="disabled">‹ Newer</span>}
          <span>Page {page}</span>
          {props.hasMore ? <a href={`/admin/audit?page=${page + 1}`}>Older ›</a> : <span class="disabled">Older ›</span>}
        </nav>
      </section>
    </Layout>
  );
}
