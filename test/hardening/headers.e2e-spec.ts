// Issue 8 item 5: `X-Websocket-Header-*` query parameters (how browsers pass headers to neffos) may add
// headers, never override or join one the HTTP request carries (a proxy's `X-Auth-Request-User`, the
// client's `Authorization`), and never set credentials (`Authorization`, `Cookie`) or a header the app
// protects with the `protectedHeaders` option. On the engine and on a Nest app alike.
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { type Message, NeffosController } from '../../lib/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { deferred, waitFor } from '../utils/wait.js';

const q = (params: Record<string, string>): string =>
  `?${Object.entries(params).map(([k, v]) => `X-Websocket-Header-${k}=${encodeURIComponent(v)}`).join('&')}`;

describe('query-string headers on the engine', () => {
  const h = useEngineHarness();

  async function headersSeen(options: { protectedHeaders?: string[] }, query: string, real: Record<string, string> = {}): Promise<IncomingHttpHeaders> {
    const seen = deferred<IncomingHttpHeaders>();
    await h.start({
      path: '/echo',
      namespaces: { default: {} },
      ...options,
      authorize: (req) => {
        seen.resolve({ ...req.headers });
        return true;
      },
    });
    await h.raw({ headers: real }, `/echo${query}`);
    return waitFor(seen, 'authorize to see the headers');
  }

  it('a header the request carries (set by a proxy) wins: the query neither replaces nor joins it', async () => {
    const got = await headersSeen({}, q({ 'X-Auth-Request-User': 'admin', 'X-Tenant': 'evil' }), { 'X-Auth-Request-User': 'alice', 'X-Tenant': 'acme' });
    expect(got['x-auth-request-user']).toBe('alice'); // today: "alice, admin"
    expect(got['x-tenant']).toBe('acme');
  });

  it('Authorization, Proxy-Authorization and Cookie are never taken from the query, with or without a real one', async () => {
    const got = await headersSeen({}, q({ Authorization: 'Bearer forged', 'Proxy-Authorization': 'Basic Zm9yZ2Vk', Cookie: 'sid=forged' }));
    expect(got.authorization).toBeUndefined(); // today: "Bearer forged"
    expect(got['proxy-authorization']).toBeUndefined();
    expect(got.cookie).toBeUndefined();
  });

  it('a real Authorization stays exactly as sent (today: "Bearer real, Bearer forged")', async () => {
    const got = await headersSeen({}, q({ authorization: 'Bearer forged' }), { Authorization: 'Bearer real' });
    expect(got.authorization).toBe('Bearer real');
  });

  it('protectedHeaders (any case) keeps the listed headers out of the query; others still come through', async () => {
    const got = await headersSeen({ protectedHeaders: ['X-User-Id'] }, q({ 'x-user-id': '1', 'X-Nickname': 'bob' }));
    expect(got['x-user-id']).toBeUndefined();
    expect(got['x-nickname']).toBe('bob');
  });

  it('several query values of one header that the request lacks are still joined, as Go adds each', async () => {
    const got = await headersSeen({}, `${q({ 'X-Lang': 'en' })}&X-Websocket-Header-X-Lang=fr`);
    expect(got['x-lang']).toBe('en, fr');
  });

  it('protectedHeaders must be a list of names', async () => {
    await expect(h.start({ path: '/echo', namespaces: { default: {} }, protectedHeaders: 'x-user' as unknown as string[] })).rejects.toThrow(/protectedHeaders/);
  });
});

@NeffosController('default')
class HeadersController {
  who(_msg: Message, conn: { conn: { request: { headers: IncomingHttpHeaders } } }) {
    const { authorization, 'x-auth-request-user': user, 'x-user-id': id } = conn.conn.request.headers;
    return { authorization: authorization ?? null, user: user ?? null, id: id ?? null };
  }
}

describe('query-string headers on a Nest app', () => {
  useNestApps();

  it('the forRoot option protectedHeaders and the real-header rule reach conn.request', async () => {
    const h = await createNestApp({ providers: [HeadersController], neffos: { protectedHeaders: ['x-user-id'] } });
    const client = await h.raw({ headers: { 'X-Auth-Request-User': 'alice', Authorization: 'Bearer real' } }, `/echo${q({ 'X-Auth-Request-User': 'admin', Authorization: 'Bearer forged', 'X-User-Id': '0' })}`);
    await client.handshake();
    await client.connectNamespace('default');
    client.send('$1;default;;who;0;0;');
    const reply = await client.next();
    expect(JSON.parse(reply.text.split(';').slice(6).join(';'))).toEqual({ authorization: 'Bearer real', user: 'alice', id: null });
  });
});
