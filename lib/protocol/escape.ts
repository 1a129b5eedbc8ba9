// Ports neffos message.go escape/unescape (docs/protocol.md §2.3): only namespace, room and event are escaped.

const SEMICOLON = ';';
const ESCAPED_SEMICOLON = '@%!semicolon@%!';

export function escapeField(field: string): string {
  return field.includes(SEMICOLON) ? field.replaceAll(SEMICOLON, ESCAPED_SEMICOLON) : field;
}

/** Lossy by design, like Go and neffos.js: a literal `@%!semicolon@%!` decodes to `;`. */
export function unescapeField(field: string): string {
  return field.includes(ESCAPED_SEMICOLON) ? field.replaceAll(ESCAPED_SEMICOLON, SEMICOLON) : field;
}
