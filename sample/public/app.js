// The chat page: dials the server with neffos.js, sends what the user does, shows what arrives.
// Server events (all JSON): welcome, system, chat, typing, members; `join` is asked with a room name.
import * as neffos from '/chat/neffos.js'; // served by forRoot({ serveClient: true })
import * as view from './view.js';

const NAMESPACE = 'default';
const TYPING_EVERY_MS = 1500; // at most one "typing" notice per this interval

let ns; // the neffos.js NSConn of namespace "default"
let nickname = '';
let room = ''; // the room this page is in
let lastTypingAt = 0;

/** Server events of namespace "default"; each body is JSON, an error arrives as msg.Err. */
const events = {
  welcome: json((w) => {
    nickname = w.nickname;
    view.showChat(nickname);
    view.setRooms(w.rooms);
    view.addSystem(`Welcome, ${w.nickname}! ${w.online} online.`);
    join(w.rooms[0]);
  }),
  system: json((s) => view.addSystem(s.text, s.kind)),
  chat: json((c) => view.addChat(c, c.from === nickname)),
  typing: json((t) => view.showTyping(t.from)),
  members: json((m) => m.room === room && view.setMembers(m.members)),
  // The server moves us between rooms (server-side joinRoom/leaveRoom); neffos.js tells us here.
  _OnRoomJoined: (_ns, msg) => {
    room = msg.Room;
    view.setRoom(room);
    view.addSystem(`You are in #${room}`, 'room');
  },
  _OnRoomLeft: (_ns, msg) => {
    if (msg.Room === room) room = '';
  },
  _OnNamespaceDisconnect: () => {
    view.setStatus('offline', 'offline, reload to reconnect');
    view.disableComposer();
  },
};

function json(handle) {
  return (_ns, msg) => {
    if (msg.Err) view.addSystem(msg.Err.message, 'error');
    else handle(msg.unmarshal());
  };
}

async function connect(name) {
  view.setStatus('connecting', 'connecting…');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // In a browser neffos.js sends headers as ?X-Websocket-Header-X-Nickname=…; the server reads `x-nickname`.
  const conn = await neffos.dial(`${scheme}://${location.host}/chat`, { [NAMESPACE]: events }, { headers: { 'X-Nickname': name } });
  ns = await conn.connect(NAMESPACE);
  view.setStatus('online');
}

async function join(name) {
  if (name === room) return;
  try {
    const reply = await ns.ask('join', name); // the server leaves the old room and joins this one
    const { members } = reply.unmarshal();
    view.setMembers(members);
  } catch (err) {
    view.addSystem(`could not join #${name}: ${err.message ?? err}`, 'error');
    if (room) view.setRoom(room);
  }
}

function send(text) {
  const current = ns?.room(room);
  if (current === undefined || text === '') return false;
  current.emit('chat', text);
  lastTypingAt = 0;
  return true;
}

function typing() {
  const now = Date.now();
  if (now - lastTypingAt < TYPING_EVERY_MS) return;
  lastTypingAt = now;
  ns?.room(room)?.emit('typing', '');
}

document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = document.getElementById('nickname').value.trim();
  if (!name) return;
  event.submitter?.setAttribute('disabled', '');
  try {
    await connect(name);
  } catch (err) {
    view.setStatus('offline');
    view.showLoginError(`Could not connect: ${err?.message ?? err}`);
  }
});

document.getElementById('room').addEventListener('change', (event) => join(event.target.value));

const input = document.getElementById('message');
input.addEventListener('input', () => input.value && typing());
input.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.isComposing) return;
  event.preventDefault();
  if (send(input.value.trim())) input.value = '';
});
