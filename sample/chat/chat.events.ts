// The bodies the server sends on the wire (JSON text frames). The page (public/app.js) reads the same shapes.

/** `welcome`: to the user who just connected. */
export interface WelcomeBody {
  nickname: string;
  rooms: readonly string[];
  online: number;
}

/** `system`: a notice (someone joined, an announcement…); `kind` styles it. */
export interface SystemBody {
  text: string;
  kind: 'info' | 'announce';
}

/** `chat`: a message in a room. */
export interface ChatBody {
  from: string;
  text: string;
  /** ISO time the server received it. */
  at: string;
}

/** `typing`: someone in the room is typing. */
export interface TypingBody {
  from: string;
}

/** `members`: who is in a room now; also the reply to `join`. */
export interface MembersBody {
  room: string;
  members: string[];
}
