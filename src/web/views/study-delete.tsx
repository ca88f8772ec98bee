// Deleting a study: the confirmation page, showing the study as the list showed it.
import { h, type SafeHtml } from '../jsx.js';
import type { StudyToDelete } from '../../admin/delete-studies.js';
import { BASE_SORTS } from '../../query/studies.js';
import type { PageContext } from '../page.js';
import { studyPath } from '../urls.js';
import { CsrfField } from './forms.js';
import { Layout } from './layout.js';
import { StudyRowCells } from './study-cells.js';

/** The confirmation page of deleting a study; `next` is where to return afterwards. */
export function studyDeletePath(id: number, next?: string): string {
  const path = `${studyPath(id)}/delete`;
  return next ? `${path}?${new URLSearchParams({ next }).toString()}` : path;
}

export function StudyDeletePage(props: { ctx: PageContext; study: StudyToDelete; next: string; error?: string }): SafeHtml {
  const { study, next } = props;
  const { row, spec } = study;
  const columns = spec?.doseColumns ?? [];
  return (
    <Layout ctx={props.ctx} title="Delete a study">
      <section class="panel danger-zone study-delete">
        <h1>Delete this study?</h1>
        {props.error ? (
          <p class="form-problems" role="alert">
            {props.error}
          </p>
        ) : null}
        <div class="table-scroll">
          <table class="data studies">
            <thead>
              <tr>
                <th scope="col">{BASE_SORTS.date}</th>
                <th scope="col">{BASE_SORTS.system}</th>
                <th scope="col">{BASE_SORTS.description}</th>
                <th scope="col">{BASE_SORTS.accession}</th>
                <th scope="col" class="num">
                  {BASE_SORTS.events}
                </th>
                {columns.map((c) => (
                  <th scope="col" class="num">
                    {c.label}
                    <span class="unit heading-unit">{c.unit.shown}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <StudyRowCells row={row} spec={spec} />
              </tr>
            </tbody>
          </table>
        </div>
        <dl class="study-identity">
          <dt>Modality</dt>
          <dd>{spec ? `${spec.title} (${study.modality})` : study.modality}</dd>
          <dt>Study Instance UID</dt>
          <dd>
            <code>{study.studyInstanceUid}</code>
          </dd>
        </dl>
        <p>
          The study is removed with all its irradiation events and the record of the objects it was imported from. This cannot be undone; importing
          those objects again stores the study anew. The deletion is recorded in the audit log.
        </p>
        <form method="post" action={studyDeletePath(row.id)} class="confirm-delete">
          <CsrfField ctx={props.ctx} />
          <input type="hidden" name="uid" value={study.studyInstanceUid} />
          <input type="hidden" name="next" value={next} />
          <button type="submit" class="danger">
            Delete study
          </button>{' '}
          <a href={next}>Cancel</a>
        </form>
      </section>
    </Layout>
  );
}
