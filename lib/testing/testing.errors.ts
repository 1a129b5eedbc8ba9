// Failures of the test client. Each says what was awaited and what to change, so a failing test
// reads as a diagnosis rather than a bare "timeout".

export class NeffosTestError extends Error {
  override name = 'NeffosTestError';
}

/** A wait (dial, connect, ask, nextEvent, …) did not finish in time. */
export class TestTimeoutError extends NeffosTestError {
  override name = 'TestTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    detail = '',
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${detail === '' ? '' : ` (${detail})`}; pass { timeout } to wait longer`);
  }
}

/** The connection closed (or the namespace was disconnected) while something was awaited. */
export class TestConnectionClosedError extends NeffosTestError {
  override name = 'TestConnectionClosedError';
  constructor(
    readonly what: string,
    readonly code: number,
    readonly reason: string,
  ) {
    super(`the connection closed (code ${code}${reason === '' ? '' : `, reason ${JSON.stringify(reason)}`}) while waiting for ${what}`);
  }
}

/** The server refused the handshake with `H<reason>` (its `authorize` or `onConnect` said no), or the upgrade. */
export class DialRejectedError extends NeffosTestError {
  override name = 'DialRejectedError';
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly status?: number,
  ) {
    super(status === undefined ? `the server refused the handshake of ${url}: ${reason}` : `the server refused the upgrade of ${url} with HTTP ${status}`);
  }
}

/** The server answered an ask, connect, join or leave with an error reply; `message` is its text. */
export class ReplyError extends NeffosTestError {
  override name = 'ReplyError';
  constructor(
    readonly event: string,
    readonly namespace: string,
    readonly text: string,
  ) {
    super(text);
  }
}

/** `dial(app)` could not tell where the neffos endpoint is. */
export class EndpointNotFoundError extends NeffosTestError {
  override name = 'EndpointNotFoundError';
}
