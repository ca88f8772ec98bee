// Rendering stored values: numbers in the units people read (always labelled), dates and
// times readable, and any nested part of a study as tables, so every stored value can be
// shown without a template per key.
import { h, Fragment, type Child, type SafeHtml } from '../jsx.js';
import { labelOfKey } from '../../query/labels.js';
import { formatNumber, formatValue, unitOfKey, type DisplayUnit } from '../../query/units.js';

export function Missing(): SafeHtml {
  return (
    <span class="missing" title="not recorded">
      –
    </span>
  );
}

/** A stored value in its shown unit, with the unit. */
export function Quantity(props: { value: number | null | undefined; unit: DisplayUnit }): SafeHtml {
  const text = formatValue(props.value, props.unit);
  if (text === '') return <Missing />;
  return (
    <span class="quantity">
      {text}
      {'\u00a0'}
      <span class="unit">{props.unit.shown}</span>
    </span>
  );
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
  if (typeof value === 'number') return unit ? <Quantity value={value} unit={unit} /> : <span class="number">{formatNumber(value)}</span>;
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>;
  if (typeof value === 'string') return <span>{displayText(value)}</span>;
  if (Array.isArray(value)) {
    if (value.every((v) => !isRecord(v))) {
      const parts = value.map((v) => (typeof v !== 'number' ? String(v) : unit ? formatValue(v, unit) : formatNumber(v)));
      return (
        <span>
          {parts.join(', ')}
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
