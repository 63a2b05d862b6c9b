// The service worker's SHELL (web/sw.js) holds every file the page's scripts load, so that the
// page starts offline: a module left out breaks app.js's imports there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const read = (name) => readFileSync(new URL(`../../web/${name}`, import.meta.url), 'utf8');

// The scripts a script loads: its static imports, the worker it starts, the scripts it imports.
function loaded(name) {
  const text = read(name);
  return [...text.matchAll(/from '\.\/([\w-]+\.js)'|new URL\('\.\/([\w-]+\.js)'|importScripts\('([\w-]+\.js)'\)/g)]
    .map((match) => match[1] ?? match[2] ?? match[3]);
}

test('every script the page loads is in the service worker\'s shell', () => {
  const shell = read('sw.js').match(/const SHELL = \[([^\]]*)\]/)[1];
  const seen = new Set();
  const pending = ['app.js'];
  while (pending.length) {
    const name = pending.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    pending.push(...loaded(name));
  }
  assert.ok(seen.has('keyboard.js') && seen.has('recognizer-worker.js'), [...seen].join(' '));
  for (const name of seen) assert.ok(shell.includes(`'${name}'`), `${name} is not in sw.js's SHELL`);
});
