// Error texts both reference clients recognise (Go message.go known errors; neffos.js Err* constants).

export const ERR_BAD_NAMESPACE = 'bad namespace';
export const ERR_BAD_ROOM = 'bad room';
export const ERR_WRITE_CLOSED = 'write closed';
export const ERR_INVALID_PAYLOAD = 'invalid payload';
