import { h, type SafeHtml } from '../jsx.js';
import type { ModalityActivity } from '../../query/systems.js';
import type { PageContext } from '../page.js';
import { listUrl, modalityListPath } from '../urls.js';
import { Layout } from './layout.js';
import { Missing } from './values.js';

function studies(n: number): string {
  return n === 1 ? '1 study' : `${n} studies`;
}

export function HomePage(props: { ctx: PageContext; modalities: ModalityActivity[] }): SafeHtml {
  return (
    <Layout ctx={props.ctx} title="Home">
      <h1>Studies by system</h1>
      {props.modalities.length === 0 ? (
        <section class="panel empty">
          <p>No studies are stored yet.</p>
          <p>
            Import dose objects with <code>openrem import PATH</code>; they appear here, grouped by modality and system. To look around
            first, <code>openrem demo</code> builds and serves a database of made-up studies.
          </p>
        </section>
      ) : (
        <div class="home-grid">
          {props.modalities.map((m) => (
            <section class="panel" id={`modality-${m.spec.slug}`} aria-labelledby={`heading-${m.spec.slug}`}>
              <h2 id={`heading-${m.spec.slug}`}>
                <a href={modalityListPath(m.spec)}>{m.spec.title}</a> <small>{studies(m.studyCount)}</small>
              </h2>
              <div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">System</th>
                      <th scope="col" class="num">
                        Studies
                      </th>
                      <th scope="col" title="date of the latest study">
                        Latest
                      </th>
                      <th scope="col">Time</th>
                      <th scope="col" class="num" title="studies dated today or in the 6 days before">
                        7 days
                      </th>
                      <th scope="col" class="num" title="studies dated today or in the 27 days before">
                        28 days
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {m.systems.map((s) => (
                      <tr>
                        <td>
                          <a href={listUrl(m.spec, { system: s.displayName })}>{s.displayName}</a>
                        </td>
                        <td class="num">{s.studyCount}</td>
                        <td class="nowrap">{s.latestStudyDate ?? <Missing />}</td>
                        <td>{s.latestStudyTime?.slice(0, 5) ?? <Missing />}</td>
                        <td class="num">{s.lastWeek}</td>
                        <td class="num">{s.lastFourWeeks}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
        </div>
      )}
    </Layout>
  );
}
