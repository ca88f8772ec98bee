// Pages that follow a task of their own (patient size imports, the quarantine's retry) load
// again when it starts, so its progress bar shows (tasks.js moves only a bar that is there),
// and when it ends (tasks.js sends "task-finished"), so its outcome shows. Without script the
// page shows the state as it was when loaded.
(function () {
  const reload = () => window.location.reload();
  document.addEventListener('task-finished', reload);
  const started = new window.MutationObserver((changes) => {
    for (const change of changes) {
      const el = change.target;
      if (el.getAttribute('data-task-state') === 'running' && !el.querySelector('progress')) {
        started.disconnect();
        reload();
        return;
      }
    }
  });
  for (const el of document.querySelectorAll('[data-task-id]')) started.observe(el, { attributes: true, attributeFilter: ['data-task-state'] });
})();
