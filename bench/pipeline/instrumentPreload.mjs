/* global process, setInterval */
// Preloaded into the benchmark's processes with NODE_OPTIONS=--import (Node 20 refuses
// --cpu-prof there). With SWITCHYARD_BENCH_INSTRUMENT_DIR set it appends the process's event
// loop utilization every 500 ms to <dir>/elu-<pid>.log ("<epoch ms> <utilization 0-1>"), and
// with SWITCHYARD_BENCH_CPU_PROFILE=1 also writes <dir>/cpu-<pid>.cpuprofile (Chrome DevTools
// format) when the process exits. Plain JavaScript: it runs before tsx is loaded.
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const dir = process.env.SWITCHYARD_BENCH_INSTRUMENT_DIR;
if (dir) {
  let last = performance.eventLoopUtilization();
  const eluFile = join(dir, `elu-${process.pid}.log`);
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    appendFileSync(eluFile, `${Date.now()} ${delta.utilization.toFixed(3)}\n`);
  }, 500).unref();

  if (process.env.SWITCHYARD_BENCH_CPU_PROFILE === '1') {
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
    process.on('exit', () => {
      // The in-process session answers synchronously, so this completes inside 'exit'.
      session.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(join(dir, `cpu-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      });
    });
  }
}
