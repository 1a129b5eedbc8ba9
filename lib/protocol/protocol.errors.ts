// Error texts both reference clients recognise (Go message.go known errors; neffos.js Err* constants).

export const ERR_BAD_NAMESPACE = 'bad namespace';
export const ERR_BAD_ROOM = 'bad room';
export const ERR_WRITE_CLOSED = 'write closed';
export const ERR_INVALID_PAYLOAD = 'invalid payload';

/**
 * `Message.json()` of a body that is not JSON. The sender's mistake, not the server's: the engine and
 * the Nest layer send its text back as the error reply (and log nothing), as they do a `ClientError`.
 */
export class BodyNotJsonError extends SyntaxError {
  override name = 'BodyNotJsonError';
  constructor(
    readonly event: string,
    readonly namespace: string,
    cause: unknown,
  ) {
    super(`the body of event "${event}" in namespace "${namespace}" is not JSON (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
}
