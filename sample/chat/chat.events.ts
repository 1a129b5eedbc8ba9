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

// The event maps (see the README's "Typed events"): what each side sends in namespace "default".
// The two directions differ (the page sends `chat` as text, the server broadcasts a ChatBody), so
// there is one map per side. Types only: they check the controller, NeffosServer and NSConn calls.

/** What the page sends: `ns.ask('join', room)`, `room.emit('chat', text)`, `room.emit('typing')`. */
export interface ChatClientEvents {
  join: { req: string; reply: MembersBody };
  chat: { req: string };
  typing: {};
}

/** What the server sends to the page. */
export interface ChatServerEvents {
  welcome: { req: WelcomeBody };
  system: { req: SystemBody };
  chat: { req: ChatBody };
  typing: { req: TypingBody };
  members: { req: MembersBody };
}

/** The server's events by namespace, for `NeffosServer<ChatServerApp>`. */
export interface ChatServerApp {
  default: ChatServerEvents;
}
