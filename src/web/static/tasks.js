// Live task status, for pages that show background tasks (views/tasks.tsx):
// - an element with data-task-id follows its task through /api/tasks/:id every second while
//   it is queued or running, updating the <progress>, [data-task-percent], [data-task-message]
//   and [data-task-state-text] inside it, and sends a "task-finished" event when it ends;
// - a region with an id and data-refresh="SECONDS" is fetched again and replaced that often
//   (and at once when a task inside it finishes), while the page is visible.
// Without script the pages still work: they show the state as it was when loaded.
(function () {
  const POLL_MS = 1000;
  const RETRY_MS = 5000;
  const followed = new WeakSet();

  function show(el, task) {
    el.setAttribute('data-task-state', task.state);
    const bar = el.querySelector('progress');
    if (bar) {
      if (task.progress === null) bar.removeAttribute('value');
      else bar.value = task.progress;
    }
    const percent = el.querySelector('[data-task-percent]');
    if (percent) percent.textContent = task.progress === null ? '' : `${Math.floor(task.progress * 100)} %`;
    const message = el.querySelector('[data-task-message]');
    if (message) message.textContent = task.message ?? '';
    const state = el.querySelector('[data-task-state-text]');
    if (state) {
      state.textContent = task.state;
      state.className = `task-state ${task.state}`;
    }
  }

  function follow(el) {
    if (followed.has(el)) return;
    followed.add(el);
    const id = el.getAttribute('data-task-id');
    const poll = async () => {
      if (!el.isConnected) return;
      let task;
      try {
        const res = await fetch(`/api/tasks/${encodeURIComponent(id)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
        // Signed out, or the task is gone: nothing more to follow.
        if (!res.ok) return;
        task = await res.json();
      } catch {
        setTimeout(poll, RETRY_MS);
        return;
      }
      show(el, task);
      if (task.state === 'queued' || task.state === 'running') setTimeout(poll, POLL_MS);
      else el.dispatchEvent(new window.CustomEvent('task-finished', { bubbles: true, detail: task }));
    };
    setTimeout(poll, POLL_MS);
  }

  function followAll(root) {
    for (const el of root.querySelectorAll('[data-task-id]')) follow(el);
  }

  function autoRefresh(region) {
    const seconds = Math.max(1, Number(region.getAttribute('data-refresh')) || 5);
    let current = region;
    let busy = false;
    const refresh = async () => {
      if (busy || document.hidden) return;
      busy = true;
      try {
        const res = await fetch(window.location.href, { credentials: 'same-origin' });
        if (!res.ok) return;
        const doc = new window.DOMParser().parseFromString(await res.text(), 'text/html');
        const fresh = doc.getElementById(current.id);
        if (!fresh) return;
        current.replaceWith(fresh);
        current = fresh;
        current.addEventListener('task-finished', refresh);
        followAll(current);
      } catch {
        // Offline for a moment: the next round tries again.
      } finally {
        busy = false;
      }
    };
    current.addEventListener('task-finished', refresh);
    setInterval(refresh, seconds * 1000);
  }

  followAll(document);
  for (const region of document.querySelectorAll('[data-refresh][id]')) autoRefresh(region);
})();
