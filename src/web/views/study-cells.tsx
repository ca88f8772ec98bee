// The cells every table of studies shares (a modality's list, a deletion's confirmation, a
// system's studies), so a study reads the same wherever it is listed.
import { h, Fragment, type SafeHtml } from '../jsx.js';
import type { ModalitySpec } from '../../query/modalities.js';
import type { StudyListRow } from '../../query/studies.js';
import { studyPath } from '../urls.js';
import { Missing, ShownNumber } from './values.js';

/** Date and time of a study, linking to its page; a badge when it is probably not a patient's. */
export function StudyDateCell(props: { id: number; date: string | null; time: string | null; notPatientIndicator?: string | null }): SafeHtml {
  return (
    <td class="nowrap">
      <a href={studyPath(props.id)}>{props.date ?? 'no date'}</a>
      {props.time ? <span class="time"> {props.time.slice(0, 5)}</span> : null}
      {props.notPatientIndicator ? (
        <span class="badge" title={props.notPatientIndicator}>
          test
        </span>
      ) : null}
    </td>
  );
}

/** An accession number; one stored as a hash says so instead of showing 64 hex digits. */
export function AccessionCell(props: { value: string | null; hashed: boolean }): SafeHtml {
  return <td>{props.hashed ? <span title="stored as a hash">(hashed)</span> : (props.value ?? <Missing />)}</td>;
}

/** A study's row in a modality's list: date, system, description, accession number, events, dose totals. */
export function StudyRowCells(props: { row: StudyListRow; spec: ModalitySpec | undefined }): SafeHtml {
  const { row } = props;
  return (
    <>
      <StudyDateCell id={row.id} date={row.studyDate} time={row.studyTime} notPatientIndicator={row.notPatientIndicator} />
      <td>{row.systemName}</td>
      <td>{row.studyDescription ?? row.requestedProcedure ?? <Missing />}</td>
      <AccessionCell value={row.accessionNumber} hashed={row.accessionNumberHashed} />
      <td class="num">{row.numberOfEvents ?? <Missing />}</td>
      {(props.spec?.doseColumns ?? []).map((c) => {
        const value = row.totals[c.key];
        return <td class="num">{value === null || value === undefined ? <Missing /> : <ShownNumber value={value} unit={c.unit} />}</td>;
      })}
    </>
  );
}
