/** The neffos namespace the chat lives in (the page connects to it). */
export const CHAT_NAMESPACE = 'default';

/** The rooms the page offers; the first one is where everyone starts. */
export const ROOMS: readonly string[] = ['general', 'random', 'help'];

/** Longest chat message accepted, in characters. */
export const MAX_MESSAGE_LENGTH = 500;
