import { describe, expect, it } from 'vitest';
import { escapeHtml, Fragment, h, renderDocument, SafeHtml, type Child } from '../../src/web/jsx.js';

function Greeting(props: { name: string; children?: Child }): SafeHtml {
  return (
    <p title={props.name}>
      Hello {props.name}
      {props.children}
    </p>
  );
}

describe('server-side JSX', () => {
  it('escapes text children and attribute values', () => {
    const evil = `<script>alert("x") & 'y'</script>`;
    const html = String(<div class={evil}>{evil}</div>);
    expect(html).toBe(
      '<div class="&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;</div>',
    );
  });

  it('passes SafeHtml from nested elements through unescaped, once', () => {
    const inner = <em>{'a < b'}</em>;
    expect(String(<p>{inner}</p>)).toBe('<p><em>a &lt; b</em></p>');
  });

  it('renders numbers, skips null, undefined and booleans, flattens arrays', () => {
    expect(String(<ul>{[1, null, undefined, false, true, ['x', 2.5]].map((v) => v)}</ul>)).toBe('<ul>1x2.5</ul>');
    expect(String(<ul>{[<li>1</li>, <li>2</li>]}</ul>)).toBe('<ul><li>1</li><li>2</li></ul>');
  });

  it('renders boolean attributes by presence and leaves out false and missing ones', () => {
    expect(String(<input type="checkbox" checked disabled={false} value={undefined} />)).toBe('<input type="checkbox" checked>');
    expect(String(<option value={3} selected>3</option>)).toBe('<option value="3" selected>3</option>');
  });

  it('calls components with their props and children, and renders fragments', () => {
    expect(String(<Greeting name="<b>">!</Greeting>)).toBe('<p title="&lt;b&gt;">Hello &lt;b&gt;!</p>');
    expect(String(<>a<br />b</>)).toBe('a<br>b');
  });

  it('refuses children on void elements and malformed attribute names', () => {
    expect(() => h('br', null, 'x')).toThrow(/cannot have children/);
    expect(() => h('div', { 'onclick="x"': 'y' })).toThrow(/invalid attribute name/);
  });

  it('only h() makes SafeHtml', () => {
    expect(() => new SafeHtml('<b>', Symbol('SafeHtml'))).toThrow(/produced by h\(\) only/);
  });

  it('escapes all five HTML metacharacters and adds the doctype to documents', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(renderDocument(<html lang="en" />)).toBe('<!DOCTYPE html>\n<html lang="en"></html>');
  });
});
