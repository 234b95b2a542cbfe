/**
 * Node options for a process that runs the emulator alone (the stack's separate parts, the
 * memory bench; `npm run servicebus-emulator` passes the same). V8 grows its young generation
 * with the allocation rate, from 1 MiB to two 16 MiB semi-spaces, so an emulator under steady load
 * gains some 30 MiB of RSS in its first minutes that is neither data nor a leak; 2 MiB
 * semi-spaces keep that to a few MiB. Measured cost: emulator CPU per message at 1,500 msg/s
 * within the noise (bench:low-load, docs/operations.md "Memory over an hour").
 */
export const EMULATOR_NODE_ARGS = ['--max-semi-space-size=2'];
