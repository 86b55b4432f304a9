#!/usr/bin/env node
/**
 * Builds dist/ (tsc, then tsc-alias for the `@/` imports) so that no process ever loads a
 * half-built tree: one build at a time (a lock directory), compiled into a directory of its
 * own, then swapped in with two renames. `npm run serve` rebuilds while `npm run brand:create`
 * may be starting beside it; both used to write into dist/ at once, and the service loaded
 * files whose aliases were not rewritten yet ("Cannot find module '@/…'").
 *
 *   node scripts/build.js              build (wait for a build in progress first)
 *   node scripts/build.js --if-missing build only if dist/ holds no complete build (a build in
 *                                      progress is waited for, and counts)
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const lock = path.join(root, '.build.lock');
// Written last into a finished build: its presence is what "complete" means.
const MARKER = '.build-complete';
const WAIT_MS = 300_000;

const complete = () => fs.existsSync(path.join(dist, MARKER));

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The lock holder's pid, or null when it is gone (a killed build leaves its lock behind). */
function holder() {
  try {
    const pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return error && error.code === 'EPERM' ? -1 : null;
  }
}

function acquire() {
  const deadline = Date.now() + WAIT_MS;
  let said = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    // A lock without a live holder (or without its pid file after a second) is stale.
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      continue;
    }
    if (holder() === null && age > 1_000) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!said) {
      process.stderr.write('waiting for the build in progress…\n');
      said = true;
    }
    if (Date.now() > deadline) {
      process.stderr.write(`gave up waiting for the build holding ${lock}\n`);
      process.exit(1);
    }
    sleep(200);
  }
}

function run(command, args) {
  const bin = path.join(root, 'node_modules', '.bin', command);
  const result = spawnSync(bin, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${command} failed\n`);
    process.exit(result.status ?? 1);
  }
}

function build() {
  const next = path.join(root, `dist.next-${process.pid}`);
  const old = path.join(root, `dist.old-${process.pid}`);
  fs.rmSync(next, { recursive: true, force: true });
  try {
    run('tsc', ['-p', 'tsconfig.build.json', '--outDir', next]);
    run('tsc-alias', ['-p', 'tsconfig.build.json', '--outDir', next]);
    fs.writeFileSync(path.join(next, MARKER), new Date().toISOString() + '\n');
    if (fs.existsSync(dist)) fs.renameSync(dist, old);
    fs.renameSync(next, dist);
  } finally {
    fs.rmSync(next, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
}

if (process.argv.includes('--if-missing') && complete()) process.exit(0);
acquire();
try {
  // Someone else's build finished while this one waited: that is the build asked for.
  if (!(process.argv.includes('--if-missing') && complete())) build();
} finally {
  fs.rmSync(lock, { recursive: true, force: true });
}
