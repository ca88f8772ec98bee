// Small conveniences on top of pages that work without script: a select marked
// data-autosubmit submits its form when changed.
document.documentElement.classList.add('js');
document.addEventListener('change', (event) => {
  const target = event.target;
  if (target instanceof window.HTMLSelectElement && target.hasAttribute('data-autosubmit') && target.form) target.form.submit();
});
