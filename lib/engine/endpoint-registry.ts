// Which neffos paths an http.Server serves, recorded on the server itself under a registry symbol, so
// that tools holding only the server (the test client's `dial(app)`) find the endpoint without being
// told the module's `path`. The symbol's string is the contract; lib/testing reads the same key.

export const ENDPOINTS = Symbol.for('nestjs-neffos.endpoints');

type WithEndpoints = { [ENDPOINTS]?: string[] };

/** Records `path` on `server`; returns the function that removes it again. */
export function registerEndpoint(server: object, path: string): () => void {
  const holder = server as WithEndpoints;
  if (holder[ENDPOINTS] === undefined) Object.defineProperty(holder, ENDPOINTS, { value: [], enumerable: false });
  const paths = holder[ENDPOINTS]!;
  paths.push(path);
  return () => {
    const i = paths.indexOf(path);
    if (i >= 0) paths.splice(i, 1);
  };
}
