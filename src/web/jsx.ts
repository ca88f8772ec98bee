// Server-side JSX: templates compile to calls of `h`, which renders straight to HTML text.
// Everything is escaped unless it is already SafeHtml, so data from DICOM files (which anyone
// can write) can never inject markup: the only way to produce SafeHtml is through `h`.

/** HTML that is safe to send as is: produced by `h` from escaped parts. */
export class SafeHtml {
  readonly #html: string;
  constructor(html: string, token: symbol) {
    if (token !== CONSTRUCT) throw new Error('SafeHtml is produced by h() only');
    this.#html = html;
  }
  toString(): string {
    return this.#html;
  }
}

const CONSTRUCT = Symbol('SafeHtml');

function safe(html: string): SafeHtml {
  return new SafeHtml(html, CONSTRUCT);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export type Child = SafeHtml | string | number | boolean | null | undefined | readonly Child[];
type AttrValue = string | number | boolean | null | undefined;

export type Component<P> = (props: P & { children?: Child }) => SafeHtml;

/** Debugging props that development-mode JSX transforms (as in the test runner) add to every element. */
const DEV_PROPS = new Set(['__self', '__source']);

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const ATTR_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/;

function renderChild(child: Child, out: string[]): void {
  if (child === null || child === undefined || child === false || child === true) return;
  if (child instanceof SafeHtml) out.push(child.toString());
  else if (Array.isArray(child)) for (const c of child as readonly Child[]) renderChild(c, out);
  else out.push(escapeHtml(String(child)));
}

function renderAttrs(props: Record<string, unknown>): string {
  let out = '';
  for (const [name, value] of Object.entries(props)) {
    if (name === 'children' || DEV_PROPS.has(name) || value === null || value === undefined || value === false) continue;
    // Attribute names come from templates, but a wrong one must fail loudly rather than break the markup.
    if (!ATTR_NAME.test(name)) throw new Error(`invalid attribute name: ${name}`);
    if (value === true) out += ` ${name}`;
    else if (typeof value === 'string' || typeof value === 'number') out += ` ${name}="${escapeHtml(String(value))}"`;
    else throw new Error(`attribute ${name} must be text, a number or a boolean`);
  }
  return out;
}

export function h(tag: string | Component<never>, props: Record<string, unknown> | null, ...children: Child[]): SafeHtml {
  if (typeof tag === 'function') {
    const childProp = children.length === 0 ? undefined : children.length === 1 ? children[0] : children;
    return (tag as Component<Record<string, unknown>>)({ ...(props ?? {}), children: childProp });
  }
  const out: string[] = [`<${tag}${props ? renderAttrs(props) : ''}>`];
  if (VOID.has(tag)) {
    if (children.length) throw new Error(`<${tag}> cannot have children`);
    return safe(out[0]!);
  }
  for (const c of children) renderChild(c, out);
  out.push(`</${tag}>`);
  return safe(out.join(''));
}

export function Fragment(props: { children?: Child }): SafeHtml {
  const out: string[] = [];
  renderChild(props.children, out);
  return safe(out.join(''));
}

/** A complete page: the doctype and the root element. */
export function renderDocument(root: SafeHtml): string {
  return `<!DOCTYPE html>\n${root.toString()}`;
}

// ---------------------------------------------------------------- template types

interface GlobalAttrs {
  children?: Child;
  class?: string;
  id?: string;
  title?: string;
  lang?: string;
  role?: string;
  hidden?: boolean;
  tabindex?: number;
  [aria: `aria-${string}`]: AttrValue;
  [data: `data-${string}`]: AttrValue;
}

interface AnchorAttrs extends GlobalAttrs {
  href?: string;
  rel?: string;
}
interface FormAttrs extends GlobalAttrs {
  action?: string;
  method?: 'get' | 'post';
}
interface InputAttrs extends GlobalAttrs {
  type?: 'text' | 'search' | 'date' | 'number' | 'hidden' | 'submit' | 'checkbox' | 'radio' | 'password' | 'email';
  name?: string;
  value?: string | number;
  placeholder?: string;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  checked?: boolean;
  disabled?: boolean;
  autocomplete?: string;
  list?: string;
  inputmode?: 'numeric' | 'decimal' | 'text';
  required?: boolean;
  autofocus?: boolean;
  readonly?: boolean;
  maxlength?: number;
}
interface SelectAttrs extends GlobalAttrs {
  name?: string;
  disabled?: boolean;
}
interface OptionAttrs extends GlobalAttrs {
  value?: string | number;
  selected?: boolean;
}
interface LabelAttrs extends GlobalAttrs {
  for?: string;
}
interface ButtonAttrs extends GlobalAttrs {
  type?: 'submit' | 'reset' | 'button';
  name?: string;
  value?: string;
}
interface CellAttrs extends GlobalAttrs {
  colspan?: number;
  rowspan?: number;
  scope?: 'col' | 'row' | 'colgroup' | 'rowgroup';
  abbr?: string;
}
interface MetaAttrs extends GlobalAttrs {
  charset?: string;
  name?: string;
  content?: string;
}
interface LinkAttrs extends GlobalAttrs {
  rel: string;
  href: string;
  type?: string;
}
interface ScriptAttrs extends GlobalAttrs {
  src: string;
  type?: 'module';
  defer?: boolean;
}
interface TimeAttrs extends GlobalAttrs {
  datetime?: string;
}
interface ProgressAttrs extends GlobalAttrs {
  /** Omitted: progress unknown (an indeterminate bar). */
  value?: number;
  max?: number;
}
interface DetailsAttrs extends GlobalAttrs {
  open?: boolean;
}

declare global {
  // The JSX namespace is how TypeScript type-checks templates; it has to be a namespace.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    type Element = SafeHtml;
    interface ElementChildrenAttribute {
      children: unknown;
    }
    interface IntrinsicElements {
      html: GlobalAttrs;
      head: GlobalAttrs;
      body: GlobalAttrs;
      title: GlobalAttrs;
      meta: MetaAttrs;
      link: LinkAttrs;
      script: ScriptAttrs;
      header: GlobalAttrs;
      nav: GlobalAttrs;
      main: GlobalAttrs;
      footer: GlobalAttrs;
      aside: GlobalAttrs;
      section: GlobalAttrs;
      div: GlobalAttrs;
      span: GlobalAttrs;
      p: GlobalAttrs;
      h1: GlobalAttrs;
      h2: GlobalAttrs;
      h3: GlobalAttrs;
      h4: GlobalAttrs;
      a: AnchorAttrs;
      strong: GlobalAttrs;
      em: GlobalAttrs;
      small: GlobalAttrs;
      code: GlobalAttrs;
      abbr: GlobalAttrs;
      sub: GlobalAttrs;
      sup: GlobalAttrs;
      br: GlobalAttrs;
      hr: GlobalAttrs;
      time: TimeAttrs;
      ul: GlobalAttrs;
      ol: GlobalAttrs;
      li: GlobalAttrs;
      dl: GlobalAttrs;
      dt: GlobalAttrs;
      dd: GlobalAttrs;
      table: GlobalAttrs;
      caption: GlobalAttrs;
      thead: GlobalAttrs;
      tbody: GlobalAttrs;
      tfoot: GlobalAttrs;
      tr: GlobalAttrs;
      th: CellAttrs;
      td: CellAttrs;
      form: FormAttrs;
      fieldset: GlobalAttrs;
      legend: GlobalAttrs;
      label: LabelAttrs;
      input: InputAttrs;
      select: SelectAttrs;
      option: OptionAttrs;
      button: ButtonAttrs;
      datalist: GlobalAttrs;
      details: DetailsAttrs;
      summary: GlobalAttrs;
      progress: ProgressAttrs;
    }
  }
}
