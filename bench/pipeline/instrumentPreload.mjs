/* global process, setInterval */
// Preloaded into the benchmark's processes with NODE_OPTIONS=--import (Node 20 refuses
// --cpu-prof there). With SWITCHYARD_BENCH_INSTRUMENT_DIR set it appends the process's event
// loop utilization every 500 ms to <dir>/elu-<pid>.log ("<epoch ms> <utilization 0-1>"), and
// with SWITCHYARD_BENCH_CPU_PROFILE=1 profiles the CPU between two SIGUSR2 (the bench sends them
// around each measured phase: phaseProfile.ts) into <dir>/cpu-<pid>-<n>.cpuprofile (Chrome
// DevTools format). Plain JavaScript: it runs before tsx is loaded.
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

  const profiling = process.env.SWITCHYARD_BENCH_CPU_PROFILE;
  if (profiling === '1' || profiling === 'allocations') {
    // Profiles only what the bench asks for: SIGUSR2 starts the profiler, the next SIGUSR2 stops
    // it and writes <dir>/cpu-<pid>-<n>.cpuprofile (start-up and TypeScript loading stay out);
    // with 'allocations', the sampling heap profiler instead (<dir>/alloc-<pid>-<n>.heapprofile).
    const allocations = profiling === 'allocations';
    const session = new Session();
    session.connect();
    session.post(allocations ? 'HeapProfiler.enable' : 'Profiler.enable');
    if (!allocations) session.post('Profiler.setSamplingInterval', { interval: 500 });
    let running = false;
    let written = 0;
    const stop = () => {
      running = false;
      // The in-process session answers synchronously, so this also completes inside 'exit'.
      session.post(allocations ? 'HeapProfiler.stopSampling' : 'Profiler.stop', (error, result) => {
        written += 1;
        if (error) return;
        const name = allocations
          ? `alloc-${process.pid}-${written}.heapprofile`
          : `cpu-${process.pid}-${written}.cpuprofile`;
        writeFileSync(join(dir, name), JSON.stringify(result.profile));
      });
    };
    process.on('SIGUSR2', () => {
      if (running) stop();
      else {
        running = true;
        // Sampling every 8 KB allocated on average, and keeping what was collected since: the
        // figure is what the phase allocated, not what it kept.
        if (allocations) {
          session.post('HeapProfiler.startSampling', {
            samplingInterval: 8192,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          });
        } else session.post('Profiler.start');
      }
    });
    process.on('exit', () => {
      if (running) stop();
    });
  }
}
