"""The page's TF.js (web/vendor, built by make setup from tfjs/)."""

from export import BACKENDS
from export.browser import WEB_DIR, serve

# A classic worker, as one that runs inference off the main thread loads TF.js; webgl and cpu
# come from tf-fallback.js, which tf.js imports when one of them starts.
WORKER = """importScripts('vendor/tf.js');
tf.wasm.setWasmPaths('vendor/');
onmessage = async ({data: backends}) => {
  const results = {layers: typeof tf.sequential, loadGraphModel: typeof tf.loadGraphModel};
  for (const backend of backends) {
    try {
      if (!(await tf.setBackend(backend))) throw new Error('did not start');
      const sum = tf.add(tf.tensor([1, 2]), tf.tensor([3, 4]));
      results[backend] = [tf.getBackend(), ...await sum.data()];
    } catch (error) {
      results[backend] = String(error);
    }
  }
  postMessage(results);
};
"""

RUN_WORKER = """(backends) => new Promise((resolve) => {
  const worker = new Worker('worker.js');
  worker.onmessage = (event) => resolve(event.data);
  worker.onerror = (event) => resolve({error: event.message});
  worker.postMessage(backends);
})"""


def test_tfjs_runs_each_backend_in_a_classic_worker_and_leaves_layers_out(browser, tmp_path):
    (tmp_path / "vendor").symlink_to(WEB_DIR / "vendor")
    (tmp_path / "worker.js").write_text(WORKER)
    (tmp_path / "index.html").write_text("<!doctype html><title>worker</title>")
    with serve(tmp_path) as base:
        page = browser.new_page()
        page.goto(base)
        results = page.evaluate(RUN_WORKER, list(BACKENDS))
        page.close()
    assert results == {"layers": "undefined", "loadGraphModel": "function",
                       **{backend: [backend, 4, 6] for backend in BACKENDS}}
