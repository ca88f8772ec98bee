// The built-in documentation: how values are shown and which URL parameters lists accept.
// Generated from the same definitions the pages use, so it cannot drift from them.
import { h, type SafeHtml } from '../jsx.js';
import { TEST_DATA_CHOICES, TEXT_FILTERS } from '../../query/filters.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import { PER_PAGE_CHOICES, sortKeysFor } from '../../query/studies.js';
import { DAP, DOSE_GY, EXPOSURE, type DisplayUnit } from '../../query/units.js';
import type { PageContext } from '../page.js';
import { modalityListPath } from '../urls.js';
import { Layout } from './layout.js';

const CONVERTED: { name: string; unit: DisplayUnit }[] = [
  { name: 'Dose area product (DAP)', unit: DAP },
  { name: 'Dose at the reference point (RP)', unit: DOSE_GY },
  { name: 'Exposure (tube current–time product)', unit: EXPOSURE },
];

export function HelpPage(props: { ctx: PageContext }): SafeHtml {
  return (
    <Layout ctx={props.ctx} title="Documentation">
      <h1>Documentation</h1>
      <section class="panel">
        <h2>Units</h2>
        <p>
          Values are stored as the DICOM dose reports give them. Pages show them in the units below, always with the unit; every other value is shown in
          its stored unit.
        </p>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Quantity</th>
              <th scope="col">Stored</th>
              <th scope="col">Shown</th>
              <th scope="col" class="num">
                Factor
              </th>
            </tr>
          </thead>
          <tbody>
            {CONVERTED.map(({ name, unit }) => (
              <tr>
                <td>{name}</td>
                <td>{unit.stored}</td>
                <td>{unit.shown}</td>
                <td class="num">×{unit.factor.toExponential().replace('e+', 'e')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>CTDIvol, DLP (mGy·cm), AGD and entrance exposure (mGy), and times (s or ms) are shown as stored. CTDIvol is shown with its phantom.</p>
      </section>
      <section class="panel">
        <h2>Study lists and their URL parameters</h2>
        <p>Every list keeps its filter, sorting and page in the address, so a view can be bookmarked or sent to a colleague. Empty parameters are ignored; unknown or malformed ones are refused with an explanation.</p>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Meaning</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>
                <code>dateFrom</code>, <code>dateTo</code>
              </td>
              <td>study date range, inclusive, as YYYY-MM-DD</td>
            </tr>
            <tr>
              <td>
                <code>system</code>
              </td>
              <td>exact system display name</td>
            </tr>
            {TEXT_FILTERS.map((f) => (
              <tr>
                <td>
                  <code>{f.param}</code>
                </td>
                <td>
                  {f.label} contains the text (any case){f.target.on === 'event' ? ': studies with at least one such irradiation event' : ''}
                </td>
              </tr>
            ))}
            <tr>
              <td>
                <code>ageMin</code>, <code>ageMax</code>
              </td>
              <td>patient age range in years, inclusive</td>
            </tr>
            <tr>
              <td>
                <code>testData</code>
              </td>
              <td>studies flagged as test patients: {TEST_DATA_CHOICES.join(' or ')} (default: included)</td>
            </tr>
            <tr>
              <td>
                <code>sort</code>, <code>dir</code>
              </td>
              <td>sort column and direction (asc or desc); missing values always come last</td>
            </tr>
            <tr>
              <td>
                <code>page</code>, <code>perPage</code>
              </td>
              <td>page number from 1; studies per page: {PER_PAGE_CHOICES.join(', ')}</td>
            </tr>
          </tbody>
        </table>
        <h3>Sort columns per modality</h3>
        <ul>
          {MODALITY_SPECS.map((s) => (
            <li>
              <a href={modalityListPath(s)}>{s.title}</a>: {sortKeysFor(s).join(', ')}
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
