// The page's automation facade (web/app.js): what tests and benchmarks drive the page through.
interface Window {
  app: object;
}
