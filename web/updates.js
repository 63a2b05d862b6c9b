// The service worker (sw.js) keeps the model for offline use. Once the page has loaded its model,
// this asks the worker to look for a newer one, and tells the user when one is ready.

// `loaded`: the page's model loading (a Promise); the worker looks only after it settles, so the
// page never gets half of one version and half of the next.
export function watchForModelUpdates(loaded) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', ({ data }) => {
    if (data?.type !== 'model') return;
    if (data.status === 'updated') document.getElementById('update').hidden = false;
    if (data.status === 'failed') console.warn(`No newer model: ${data.detail}`);
  });
  document.getElementById('update').addEventListener('click', () => location.reload());
  const check = () => navigator.serviceWorker.controller?.postMessage('check-model');
  loaded.then(check, check);
}
