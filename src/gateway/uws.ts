import uWS from 'uWebSockets.js';

// The registry build of uWebSockets.js falls back to an incomplete JS shim when it has no
// native binary for this Node version; the shim lacks SSLApp, so its presence proves the
// native module loaded.
export function assertNativeUws(): void {
  if (typeof (uWS as unknown as Record<string, unknown>).SSLApp !== 'function') {
    throw new Error(
      `uWebSockets.js native module did not load for Node ${process.version} (${process.platform}-${process.arch})`,
    );
  }
}

export { uWS };
