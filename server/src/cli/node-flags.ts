/**
 * Node options a Twerk server runs with (package.json's `start` and `twerk` scripts and main.ts's
 * shebang say the same). Measured on the standalone server (`npm run bench`):
 * - a 1 MiB young generation instead of V8's 16 MiB semi-spaces: ~60 MiB less, no throughput cost;
 * - embedded PostgreSQL's WebAssembly stays on V8's baseline compiler (Liftoff) instead of tiering
 *   up to TurboFan: ~60 MiB less (optimized code and compile zones), for ~10 % more time in the
 *   database — a few per cent of a task's overhead, where spawning the process dominates.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering'];
