// One study with every stored value (the patient's name, ID and birth date only for users
// with the pid role): overview, study, patient, equipment, totals, the modality's dose
// record, its events (a table of the main columns, then every value per event), CT Dose
// Check details and comments.
import { h, Fragment, type SafeHtml } from '../jsx.js';
import type { StoredStudy } from '../../db/report-store.js';
import { labelOfKey } from '../../query/labels.js';
import { specForModality } from '../../query/modalities.js';
import { unitOfKey } from '../../query/units.js';
import type { CtEvent, ProjectionAccumulated, ProjectionEvent } from '../../report/types.js';
import { may, type PageContext } from '../page.js';
import { listUrl, modalityListPath } from '../urls.js';
import { OpenSkinButton } from './exports.js';
import { Layout } from './layout.js';
import { ColumnHeading, displayText, KeyValue, KeyValueTable, Missing, Quantity, RecordTable, Section, ShownNumber, ShownValues } from './values.js';

/** Shown only to users with the pid role. */
const PATIENT_IDENTIFIERS = ['name', 'id', 'birthDate', 'nameHashed', 'idHashed'] as const;

/** A cell's value: text, a number in its stored unit, or numbers of several X-ray sources. */
type EventValue = string | number | readonly number[] | null | undefined;

interface EventColumn<E> {
  /** The DoseReport key the column shows (its label and unit come from it). */
  key: string;
  label?: string;
  get(e: E): EventValue;
  /** Extra text after the value (CTDIvol's phantom). */
  note?(e: E): string | null | undefined;
  /** Short values that read badly broken over lines ("Plane A"). */
  nowrap?: boolean;
}

const field =
  <E,>(key: keyof E & string, label?: string): EventColumn<E> => ({ key, label, get: (e) => e[key] as EventValue });

/** Values of every X-ray source of a CT event (tube A / tube B). */
function perSource(e: CtEvent, key: 'kvp' | 'xrayTubeCurrentMa'): EventValue {
  const values = (e.sources ?? []).map((s) => s[key]).filter((v): v is number => typeof v === 'number');
  return values.length <= 1 ? (values[0] ?? null) : values;
}

const CT_COLUMNS: EventColumn<CtEvent>[] = [
  field('acquisitionProtocol', 'Protocol'),
  field('acquisitionType', 'Type'),
  field('targetRegion'),
  { ...field('meanCtdiVolMGy', 'CTDIvol'), note: (e) => e.ctdiwPhantomType },
  field('dlpMGyCm', 'DLP'),
  field('scanningLengthMm'),
  field('exposureTimeS'),
  field('pitchFactor'),
  field('nominalTotalCollimationWidthMm', 'Total collimation'),
  { key: 'kvp', get: (e) => perSource(e, 'kvp') },
  { key: 'xrayTubeCurrentMa', label: 'Tube current', get: (e) => perSource(e, 'xrayTubeCurrentMa') },
];

const RF_COLUMNS: EventColumn<ProjectionEvent>[] = [
  field('dateTimeStarted', 'Started'),
  { ...field('acquisitionPlane', 'Plane'), nowrap: true },
  field('irradiationEventType', 'Type'),
  field('acquisitionProtocol', 'Protocol'),
  field('doseAreaProductGym2', 'DAP'),
  field('doseRpGy'),
  field('kvp'),
  field('xrayTubeCurrentMa', 'Tube current'),
  field('pulseRateHz', 'Pulse rate'),
  field('numberOfPulses', 'Pulses'),
  field('irradiationDurationS', 'Duration'),
  field('positionerPrimaryAngleDeg', 'Primary angle'),
  field('positionerSecondaryAngleDeg', 'Secondary angle'),
];

const DX_COLUMNS: EventColumn<ProjectionEvent>[] = [
  field('dateTimeStarted', 'Started'),
  field('acquisitionProtocol', 'Protocol'),
  field('anatomicalStructure', 'Anatomy'),
  field('viewPosition', 'View'),
  field('doseAreaProductGym2', 'DAP'),
  field('kvp'),
  field('exposureUAs', 'Exposure'),
  field('exposureTimeMs'),
  field('exposureIndex'),
  field('deviationIndex'),
  field('distanceSourceToDetectorMm', 'Source to detector'),
];

const MG_COLUMNS: EventColumn<ProjectionEvent>[] = [
  field('dateTimeStarted', 'Started'),
  field('laterality'),
  field('viewPosition', 'View'),
  field('acquisitionProtocol', 'Protocol'),
  field('averageGlandularDoseMGy', 'AGD'),
  field('entranceExposureAtRpMGy'),
  field('compressionThicknessMm'),
  field('compressionForceN'),
  field('kvp'),
  field('exposureUAs', 'Exposure'),
  field('anodeTargetMaterial', 'Anode'),
  { key: 'filters', label: 'Filter', get: (e) => (e.filters ?? []).map((f) => f.material).filter(Boolean).join(', ') || null },
];

function EventCell<E>(props: { column: EventColumn<E>; event: E }): SafeHtml {
  const { column, event } = props;
  const v = column.get(event);
  const note = column.note?.(event);
  const unit = unitOfKey(column.key)?.unit;
  let content: SafeHtml | string;
  let cls: string | undefined;
  if (v === null || v === undefined || v === '') content = <Missing />;
  else if (typeof v === 'number') {
    content = <ShownNumber value={v} unit={unit} />;
    cls = 'num';
  } else if (typeof v !== 'string') {
    content = <ShownValues values={v} unit={unit} separator=" / " />;
    cls = 'nowrap';
  } else {
    content = displayText(v);
    cls = content !== v || column.nowrap ? 'nowrap' : undefined;
  }
  return (
    <td class={cls}>
      {content}
      {note ? <span class="note">{note}</span> : null}
    </td>
  );
}

function EventTable<E>(props: { events: readonly E[]; columns: readonly EventColumn<E>[] }): SafeHtml {
  const used = props.columns.filter((c) => props.events.some((e) => {
    const v = c.get(e);
    return v !== null && v !== undefined && v !== '';
  }));
  return (
    <div class="table-scroll">
      <table class="data events">
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            {used.map((c) => (
              <th scope="col" class={typeof props.events.map(c.get).find((v) => v != null) === 'number' ? 'num' : undefined}>
                <ColumnHeading name={c.key} label={c.label} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.events.map((e, i) => (
            <tr>
              <td class="num">
                <a href={`#event-${i + 1}`}>{i + 1}</a>
              </td>
              {used.map((c) => (
                <EventCell column={c} event={e} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EventDetails(props: { events: readonly object[]; describe(i: number): string }): SafeHtml {
  return (
    <div class="event-details">
      {props.events.map((e, i) => (
        <details id={`event-${i + 1}`}>
          <summary>
            Event {i + 1}: {props.describe(i)}
          </summary>
          <KeyValueTable values={e} />
        </details>
      ))}
    </div>
  );
}

function Comments(props: { studyComment?: string | null; events: readonly { comment?: string | null }[] }): SafeHtml | null {
  const rows = props.events.map((e, i) => ({ n: i + 1, comment: e.comment })).filter((r) => r.comment);
  if (!props.studyComment && rows.length === 0) return null;
  return (
    <Section title="Comments" id="comments">
      {props.studyComment ? <p class="comment">{props.studyComment}</p> : null}
      {rows.length ? (
        <table class="data comments">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td class="num">
                  <a href={`#event-${r.n}`}>{r.n}</a>
                </td>
                <td class="comment">{r.comment}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

/** The modality's dose record as a whole (its comment goes to Comments) and who observed it. */
function DoseSection(props: { title: string; dose: object; observers: readonly object[] | null | undefined }): SafeHtml {
  return (
    <Section title={props.title} id="dose">
      <KeyValueTable values={props.dose} omit={['comment']} />
      {props.observers?.length ? (
        <>
          <h3>Observers</h3>
          <RecordTable rows={props.observers} />
        </>
      ) : null}
    </Section>
  );
}

/** The events in a table of their main values. */
function EventsSection<E>(props: { events: readonly E[]; columns: readonly EventColumn<E>[] }): SafeHtml {
  return (
    <Section title={`Irradiation events (${props.events.length})`} id="events">
      {props.events.length ? <EventTable events={props.events} columns={props.columns} /> : <p class="missing">No irradiation events recorded.</p>}
    </Section>
  );
}

function CtSection(props: { study: StoredStudy }): SafeHtml {
  const ct = props.study.ct!;
  const { events, observers, ...dose } = ct;
  const doseChecks = events.map((e, i) => ({ event: i + 1, protocol: e.acquisitionProtocol, check: e.doseCheck })).filter((d) => d.check);
  return (
    <>
      <DoseSection title="CT radiation dose" dose={dose} observers={observers} />
      <EventsSection events={events} columns={CT_COLUMNS} />
      {doseChecks.length ? (
        <Section title="CT Dose Check" id="dose-check">
          {doseChecks.map((d) => (
            <div class="dose-check">
              <h3>
                <a href={`#event-${d.event}`}>Event {d.event}</a>
                {d.protocol ? `: ${d.protocol}` : ''}
              </h3>
              <KeyValueTable values={d.check!} />
            </div>
          ))}
        </Section>
      ) : null}
      <Comments studyComment={ct.comment} events={events} />
      {events.length ? (
        <Section title="Every value per event" id="event-values">
          <EventDetails events={events} describe={(i) => events[i]!.acquisitionProtocol ?? events[i]!.acquisitionType ?? ''} />
        </Section>
      ) : null}
    </>
  );
}

/** Accumulated dose per plane: one column per plane, one row per value. */
function PlaneTable(props: { accumulated: readonly ProjectionAccumulated[] }): SafeHtml {
  const planes = props.accumulated;
  const keys: string[] = [];
  for (const p of planes) for (const [k, v] of Object.entries(p)) if (k !== 'acquisitionPlane' && v !== null && v !== undefined && !keys.includes(k)) keys.push(k);
  return (
    <table class="data planes">
      <thead>
        <tr>
          <th scope="col">Value</th>
          {planes.map((p, i) => (
            <th scope="col">{p.acquisitionPlane ?? `Plane ${i + 1}`}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr>
            <th scope="row">{labelOfKey(k)}</th>
            {planes.map((p) => (
              <td>
                <KeyValue name={k} value={(p as Record<string, unknown>)[k]} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ProjectionSection(props: { study: StoredStudy }): SafeHtml {
  const { study } = props;
  const proj = study.projection!;
  const { events, observers, accumulated, ...dose } = proj;
  const columns = study.modality === 'MG' ? MG_COLUMNS : study.modality === 'RF' ? RF_COLUMNS : DX_COLUMNS;
  return (
    <>
      <DoseSection title="X-ray radiation dose" dose={dose} observers={observers} />
      {accumulated.length ? (
        <Section title="Accumulated dose per plane" id="accumulated">
          <PlaneTable accumulated={accumulated} />
        </Section>
      ) : null}
      <EventsSection events={events} columns={columns} />
      <Comments studyComment={proj.comment} events={events} />
      {events.length ? (
        <Section title="Every value per event" id="event-values">
          <EventDetails
            events={events}
            describe={(i) => [events[i]!.acquisitionPlane, events[i]!.acquisitionProtocol ?? events[i]!.irradiationEventType].filter(Boolean).join(', ')}
          />
        </Section>
      ) : null}
    </>
  );
}

function NmSection(props: { study: StoredStudy }): SafeHtml {
  const nm = props.study.nm;
  if (!nm) return <Section title="Radiopharmaceutical dose">{<p class="missing">No dose record stored.</p>}</Section>;
  const { administration, patientCharacteristics, petSeries, ...rest } = nm;
  return (
    <>
      <Section title="Radiopharmaceutical dose" id="dose">
        <KeyValueTable values={rest} omit={['comment']} />
      </Section>
      {administration ? (
        <Section title="Administration" id="administration">
          <KeyValueTable values={administration} />
        </Section>
      ) : null}
      {patientCharacteristics ? (
        <Section title="Patient characteristics" id="patient-characteristics">
          <KeyValueTable values={patientCharacteristics} />
        </Section>
      ) : null}
      {petSeries?.length ? (
        <Section title={`PET series (${petSeries.length})`} id="pet-series">
          <RecordTable rows={petSeries} numbered />
        </Section>
      ) : null}
      <Comments studyComment={nm.comment} events={administration ? [administration] : []} />
    </>
  );
}

function Overview(props: { study: StoredStudy }): SafeHtml {
  const { study } = props;
  const spec = specForModality(study.modality);
  const system = study.equipment.displayName;
  const summary = study.summary as Record<string, number | null | undefined>;
  const totals = Object.entries(summary).filter((e): e is [string, number] => e[0].startsWith('total') && typeof e[1] === 'number');
  return (
    <dl class="overview">
      <div>
        <dt>Modality</dt>
        <dd>{spec ? <a href={modalityListPath(spec)}>{spec.title}</a> : study.modality}</dd>
      </div>
      <div>
        <dt>Date</dt>
        <dd>
          {study.study.studyDate ?? <Missing />} {study.study.studyTime ?? ''}
        </dd>
      </div>
      <div>
        <dt>System</dt>
        <dd>{system && spec ? <a href={listUrl(spec, { system })}>{system}</a> : (system ?? <Missing />)}</dd>
      </div>
      <div>
        <dt>Events</dt>
        <dd>{study.summary.numberOfEvents ?? <Missing />}</dd>
      </div>
      {totals.map(([k, v]) => {
        const unit = unitOfKey(k)?.unit;
        return (
          <div>
            <dt>{labelOfKey(k)}</dt>
            <dd>{unit ? <Quantity value={v} unit={unit} /> : <ShownNumber value={v} />}</dd>
          </div>
        );
      })}
    </dl>
  );
}

export function StudyPage(props: { ctx: PageContext; study: StoredStudy }): SafeHtml {
  const { study } = props;
  const patient = may(props.ctx, 'pid')
    ? study.patient
    : Object.fromEntries(Object.entries(study.patient).filter(([k]) => !(PATIENT_IDENTIFIERS as readonly string[]).includes(k)));
  const title = [study.modality, 'study', study.study.studyDate].filter(Boolean).join(' ');
  return (
    <Layout ctx={props.ctx} title={title}>
      <h1>
        {title}
        {study.study.studyDescription ? <span class="subtitle">{study.study.studyDescription}</span> : null}
      </h1>
      {study.patient.notPatientIndicator ? <p class="notice">Flagged as test data: {study.patient.notPatientIndicator}</p> : null}
      {study.modality === 'RF' ? <OpenSkinButton ctx={props.ctx} studyId={study.id} /> : null}
      <Overview study={study} />
      <div class="detail-grid">
        <Section title="Study" id="study">
          <KeyValueTable values={study.study} />
        </Section>
        <Section title="Patient" id="patient">
          <KeyValueTable values={patient} />
        </Section>
        <Section title="Equipment" id="equipment">
          <KeyValueTable values={study.equipment} />
        </Section>
        <Section title="Study totals" id="totals">
          <KeyValueTable values={study.summary} />
        </Section>
      </div>
      {study.ct ? <CtSection study={study} /> : study.projection ? <ProjectionSection study={study} /> : <NmSection study={study} />}
      <Section title="Stored objects" id="objects">
        <KeyValueTable values={{ sourceKind: study.sourceKind, createdAt: study.createdAt, studyDatabaseId: study.id }} />
        <details>
          <summary>SOP Instance UIDs ({study.objectUidsProcessed.length})</summary>
          <ul class="uids">
            {study.objectUidsProcessed.map((u) => (
              <li>
                <code>{u}</code>
              </li>
            ))}
          </ul>
        </details>
      </Section>
    </Layout>
  );
}
