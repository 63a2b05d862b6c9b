// The service worker (sw.js) keeps the page and its model for offline use. This registers it, or
// says on the page why offline use is unavailable here; once the page has loaded its model, it
// asks the worker to look for a newer one, and tells the user when one is ready.
// Browsers give service workers only to secure contexts (HTTPS, or localhost): over plain http on
// a LAN address the page still recognises, but would never work offline without this note.
export function registerForOffline() {
  if (!('serviceWorker' in navigator)) {
    showOfflineNote(isSecureContext
      ? 'this browser has no service worker.'
      : `${location.origin} is not a secure context: serve the page over HTTPS (or open it as localhost).`);
    return;
  }
  navigator.serviceWorker.register('sw.js', { type: 'module' }).catch((error) => {
    console.warn('offline mode unavailable', error);
    showOfflineNote(`the browser refused the service worker (${error.message})`);
  });
}

function showOfflineNote(why) {
  const note = /** @type {HTMLElement} */ (document.getElementById('offline-note'));
  note.textContent = `Works online only: offline use is unavailable here because ${why}`;
  note.hidden = false;
}

// `loaded`: the page's model loading (a Promise), from `folder`; the worker looks only after it
// settles, so the page never gets half of one version and half of the next. On the first visit
// there is no worker to ask: it installs with this page's model (sw.js), and takes control after.
// `onKept` runs when the worker has kept a model for offline use.
export function watchForModelUpdates(loaded, folder, onKept) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', ({ data }) => {
    if (data?.type !== 'model') return;
    if (data.status === 'kept') onKept();
    if (data.folder !== folder) return;
    if (data.status === 'updated') /** @type {HTMLElement} */ (document.getElementById('update')).hidden = false;
    if (data.status === 'failed') console.warn(`No newer model: ${data.detail}`);
  });
  /** @type {HTMLElement} */ (document.getElementById('update'))
    .addEventListener('click', () => location.reload());
  const check = () => navigator.serviceWorker.controller?.postMessage({ type: 'check-model', folder });
  loaded.then(check, check);
}
