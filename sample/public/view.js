// What the page shows. app.js decides what happens; this module only touches the DOM
// (always through textContent, so nicknames and messages can never inject markup).

const $ = (id) => document.getElementById(id);
const TYPING_SHOWN_MS = 3000;

const typers = new Map(); // nickname -> timer that hides the notice

export function setStatus(state, text = state) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

export function showLoginError(text) {
  const error = $('login-error');
  error.textContent = text;
  error.hidden = false;
  $('login').querySelector('button').disabled = false;
}

export function showChat(nickname) {
  $('login').hidden = true;
  $('chat').hidden = false;
  $('me').textContent = nickname;
}

export function setRooms(rooms) {
  const select = $('room');
  select.replaceChildren(...rooms.map((room) => new Option(`#${room}`, room)));
}

export function setRoom(room) {
  $('room').value = room;
  $('room-title').textContent = `#${room}`;
  const input = $('message');
  input.placeholder = `Message #${room}, Enter to send`;
  input.disabled = false;
  input.focus();
  clearTyping();
}

export function setMembers(nicknames) {
  $('members').replaceChildren(...nicknames.map((name) => element('li', '', name)));
}

export function addChat({ from, text, at }, mine) {
  stopTyping(from);
  const item = element('li', mine ? 'msg mine' : 'msg');
  const time = element('time', '', new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  time.dateTime = at;
  item.append(time, element('span', 'nick', from), element('span', 'text', text));
  append(item);
}

/** kind: 'info' (joins, leaves), 'room' (we changed rooms), 'announce' (POST /announce), 'error' */
export function addSystem(text, kind = 'info') {
  append(element('li', `system ${kind}`, text));
}

export function disableComposer() {
  $('message').disabled = true;
}

export function showTyping(nickname) {
  clearTimeout(typers.get(nickname));
  typers.set(nickname, setTimeout(() => stopTyping(nickname), TYPING_SHOWN_MS));
  renderTyping();
}

function stopTyping(nickname) {
  clearTimeout(typers.get(nickname));
  if (typers.delete(nickname)) renderTyping();
}

function clearTyping() {
  for (const timer of typers.values()) clearTimeout(timer);
  typers.clear();
  renderTyping();
}

function renderTyping() {
  const names = [...typers.keys()];
  const notice = $('typing');
  notice.hidden = names.length === 0;
  notice.textContent =
    names.length === 1 ? `${names[0]} is typing…`
    : names.length === 2 ? `${names[0]} and ${names[1]} are typing…`
    : `${names.length} people are typing…`;
}

function append(item) {
  const log = $('log');
  log.append(item);
  log.scrollTop = log.scrollHeight;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}
