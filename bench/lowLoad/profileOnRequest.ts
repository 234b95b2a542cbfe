import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * Lets the parent profile this process for exactly the measured window: IPC "profile-start"
 * starts the V8 CPU profiler, `{ profileStop: file }` stops it and writes a .cpuprofile there
 * (the format of node --cpu-prof, which would also count start-up and TypeScript loading).
 */
export function profileOnRequest(): void {
  const session = new Session();
  session.connect();
  process.on('message', (request: unknown) => {
    if (request === 'profile-start') {
      session
        .post('Profiler.enable')
        .then(() => session.post('Profiler.start'))
        .then(
          () => process.send?.({ profiling: true }),
          (error: unknown) => process.send?.({ profiling: false, error: String(error) }),
        );
    } else if (typeof request === 'object' && request !== null && 'profileStop' in request) {
      const file = String(request.profileStop);
      session.post('Profiler.stop').then(
        ({ profile }) => {
          writeFileSync(file, JSON.stringify(profile));
          process.send?.({ profileWritten: file });
        },
        (error: unknown) => process.send?.({ profileWritten: '', error: String(error) }),
      );
    }
  });
}
