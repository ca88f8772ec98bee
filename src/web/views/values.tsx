// Rendering stored values: numbers in the units people read (always labelled), dates and
// times readable, and any nested part of a study as tables, so every stored value can be
// shown without a template per key.
import { h, Fragment, type Child, type SafeHtml } from '../jsx.js';
import { labelOfKey } from '../../query/labels.js';
import { preciseNumber, readableNumber, toShown, unitOfKey, type DisplayUnit } from '../../query/units.js';
import { utcText, type TimePrecision } from '../../time.js';

export function Missing(): SafeHtml {
  return (
    <span class="missing" title="not recorded">
      –
    </span>
  );
}

/**
 * A stored number as every page shows it: in its shown unit (without the unit), rounded for
 * reading (readableNumber), with the full value as its title when rounding changed it.
 */
export function ShownNumber(props: { value: number; unit?: DisplayUnit | undefined }): SafeHtml {
  const value = props.unit ? toShown(props.value, props.unit) : props.value;
  const text = readableNumber(value);
  const full = preciseNumber(value);
  return full === text ? <>{text}</> : <span title={full}>{text}</span>;
}

/** Values shown together ("120 / 100"): each number as ShownNumber shows it, all in full in the title. */
export function ShownValues(props: { values: readonly unknown[]; unit?: DisplayUnit | undefined; separator: string }): SafeHtml {
  const each = (format: (n: number) => string) =>
    props.values.map((v) => (typeof v === 'number' ? format(props.unit ? toShown(v, props.unit) : v) : String(v))).join(props.separator);
  const text = each(readableNumber);
  const full = each(preciseNumber);
  return full === text ? <>{text}</> : <span title={full}>{text}</span>;
}

/** A stored value in its shown unit, with the unit. */
export function Quantity(props: { value: number | null | undefined; unit: DisplayUnit }): SafeHtml {
  if (props.value === null || props.value === undefined) return <Missing />;
  return (
    <span class="quantity">
      <ShownNumber value={props.value} unit={props.unit} />
      {'\u00a0'}
      <span class="unit">{props.unit.shown}</span>
    </span>
  );
}

/** A moment stored in UTC, as utcText shows it, in a <time> element (machines read its datetime); or the missing mark. */
export function UtcTime(props: { iso: string | null | undefined; precision?: TimePrecision }): SafeHtml {
  if (!props.iso) return <Missing />;
  return <time datetime={props.iso}>{utcText(props.iso, props.precision)}</time>;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/;

/** Date-times as "YYYY-MM-DD HH:MM:SS"; other text as stored. */
export function displayText(text: string): string {
  const m = DATE_TIME.exec(text);
  return m ? `${m[1]} ${m[2]}` : text;
}

type Json = null | undefined | boolean | number | string | Json[] | { [k: string]: Json };

function isRecord(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasContent(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return false;
  if (Array.isArray(v)) return v.some(hasContent);
  if (isRecord(v)) return Object.values(v).some(hasContent);
  return true;
}

/** The value of one key: with the key's unit when it is a number (or list of numbers). */
export function KeyValue(props: { name: string; value: unknown }): SafeHtml {
  const { name, value } = props;
  const unit = unitOfKey(name)?.unit;
  if (!hasContent(value)) return <Missing />;
  if (typeof value === 'number') {
    return unit ? (
      <Quantity value={value} unit={unit} />
    ) : (
      <span class="number">
        <ShownNumber value={value} />
      </span>
    );
  }
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>;
  if (typeof value === 'string') return <span>{displayText(value)}</span>;
  if (Array.isArray(value)) {
    if (value.every((v) => !isRecord(v))) {
      return (
        <span>
          <ShownValues values={value} unit={unit} separator=", " />
          {unit ? <span class="unit">{` ${unit.shown}`}</span> : null}
        </span>
      );
    }
    return <RecordTable rows={value.filter(isRecord)} />;
  }
  if (isRecord(value)) return <KeyValueTable values={value} />;
  return <span>{String(value)}</span>;
}

/** Every non-empty key of an object, one row each, labelled; nested objects as nested tables. */
export function KeyValueTable(props: { values: object; omit?: readonly string[]; class?: string }): SafeHtml {
  const entries = Object.entries(props.values).filter(([k, v]) => !props.omit?.includes(k) && hasContent(v));
  if (entries.length === 0) return <p class="missing">Nothing recorded.</p>;
  return (
    <table class={`key-values ${props.class ?? ''}`.trim()}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr>
            <th scope="row">{labelOfKey(k)}</th>
            <td>
              <KeyValue name={k} value={v} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A list of objects as one table: a column for each key any of them has. */
export function RecordTable(props: { rows: readonly object[]; numbered?: boolean }): SafeHtml {
  const rows = props.rows as readonly Record<string, unknown>[];
  const keys: string[] = [];
  for (const row of rows) for (const [k, v] of Object.entries(row)) if (hasContent(v) && !keys.includes(k)) keys.push(k);
  if (keys.length === 0) return <Missing />;
  return (
    <table class="records">
      <thead>
        <tr>
          {props.numbered ? <th scope="col">#</th> : null}
          {keys.map((k) => (
            <th scope="col">{labelOfKey(k)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr>
            {props.numbered ? <td>{i + 1}</td> : null}
            {keys.map((k) => (
              <td>
                <KeyValue name={k} value={row[k]} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A column heading for a key: its label, and the shown unit on a second line. */
export function ColumnHeading(props: { name: string; label?: string; unit?: DisplayUnit }): SafeHtml {
  const unit = props.unit ?? unitOfKey(props.name)?.unit;
  return (
    <>
      {props.label ?? labelOfKey(props.name)}
      {unit ? <span class="unit heading-unit">{unit.shown}</span> : null}
    </>
  );
}

export function Section(props: { title: string; id?: string; children?: Child }): SafeHtml {
  return (
    <section class="panel" id={props.id}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}
