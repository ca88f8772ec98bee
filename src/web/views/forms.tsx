// Pieces every form uses: the CSRF field, labelled inputs with their error message, and the
// list of problems above a form that was sent back.
import { h, type Child, type SafeHtml } from '../jsx.js';
import type { PageContext } from '../page.js';
import { CSRF_FIELD } from '../auth/access.js';

/** Every form that changes something carries the session's token. */
export function CsrfField(props: { ctx: PageContext }): SafeHtml {
  return <input type="hidden" name={CSRF_FIELD} value={props.ctx.csrfToken} />;
}

export function FieldError(props: { id: string; message?: string | undefined }): SafeHtml | null {
  return props.message ? (
    <span class="field-error" id={`${props.id}-error`}>
      {props.message}
    </span>
  ) : null;
}

export function TextField(props: {
  name: string;
  label: string;
  value?: string;
  type?: 'text' | 'email' | 'password';
  error?: string | undefined;
  hint?: Child;
  autocomplete?: string;
  required?: boolean;
  autofocus?: boolean;
  readonly?: boolean;
  maxlength?: number;
}): SafeHtml {
  const id = `field-${props.name}`;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        name={props.name}
        value={props.type === 'password' ? undefined : props.value}
        autocomplete={props.autocomplete}
        required={props.required}
        autofocus={props.autofocus}
        readonly={props.readonly}
        maxlength={props.maxlength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      />
      {props.hint ? <span class="hint">{props.hint}</span> : null}
      <FieldError id={id} message={props.error} />
    </div>
  );
}

/** Shown above a form sent back with problems, so none goes unnoticed. */
export function ProblemSummary(props: { errors: Record<string, string>; labels: Record<string, string> }): SafeHtml | null {
  const entries = Object.entries(props.errors);
  if (!entries.length) return null;
  return (
    <div class="form-problems" role="alert">
      <p>Please correct the following:</p>
      <ul>
        {entries.map(([field, message]) => (
          <li>{props.labels[field] ? `${props.labels[field]}: ${message}` : message}</li>
        ))}
      </ul>
    </div>
  );
}
