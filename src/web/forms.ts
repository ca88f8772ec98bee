// Reading HTML form posts: fields arrive as text (or lists of text for repeated names), are
// checked with a zod schema, and problems go back to the form, one message per field.
import type { z } from 'zod';

export type FormFields = Record<string, unknown>;

export function formFields(body: unknown): FormFields {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as FormFields) : {};
}

/** A field's text: the first value when repeated, '' when absent. */
export function textValue(value: unknown): string {
  if (Array.isArray(value)) return textValue(value[0]);
  return typeof value === 'string' ? value : '';
}

/** Every value of a repeated field (checkboxes sharing a name). */
export function listValue(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** A checkbox is sent only when ticked. */
export function checkboxValue(value: unknown): boolean {
  return textValue(value) !== '';
}

/** The key for problems with the form as a whole. */
export const FORM_PROBLEM = '_form';

/** The first message for each field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : FORM_PROBLEM;
    out[key] ??= issue.message;
  }
  return out;
}

/** The largest id a table holds (PostgreSQL's integer); larger numbers name nothing. */
const MAX_ID = 2_147_483_647;

/** A database id in a path or a field: a positive whole number, or null for anything else. */
export function parseId(text: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_ID ? id : null;
}

/** A whole number from a query parameter (a count a notice reports), or null. */
export function queryNumber(query: FormFields, key: string): number | null {
  const text = textValue(query[key]);
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}
