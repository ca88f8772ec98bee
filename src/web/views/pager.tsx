// Paging links as every paged table shows them: first, previous, "Page n of m", next, last.
import { h, type SafeHtml } from '../jsx.js';

export function Pager(props: { page: number; pageCount: number; url: (page: number) => string }): SafeHtml {
  const link = (p: number, text: string, rel?: string) =>
    p < 1 || p > props.pageCount || p === props.page ? (
      <span class="disabled">{text}</span>
    ) : (
      <a href={props.url(p)} rel={rel}>
        {text}
      </a>
    );
  return (
    <nav class="pager" aria-label="Pages">
      {link(1, '« First')}
      {link(props.page - 1, '‹ Previous', 'prev')}
      <span class="current">
        Page {props.page} of {props.pageCount}
      </span>
      {link(props.page + 1, 'Next ›', 'next')}
      {link(props.pageCount, 'Last »')}
    </nav>
  );
}
