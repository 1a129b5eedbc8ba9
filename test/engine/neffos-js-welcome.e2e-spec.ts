// An unmodified neffos.js client in Node (default dial options, so ws delivers the frames of one read
// synchronously) receives what `onNamespaceConnected` writes: the engine sends the connect reply on its
// own before the hook runs (docs/protocol.md §10.21). 100 dials in a row, on the engine and through Nest.
import * as neffos from 'neffos.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Message, NeffosController, NeffosModule, NSConn } from 'nestjs-neffos';
import { createTestingApp, type TestingApp } from 'nestjs-neffos/testing';
import { useEngineHarness } from '../utils/engine-harness.js';
import { closeNeffos, type NeffosConn } from '../utils/neffos-client.js';
import { deferred, waitFor } from '../utils/wait.js';

const ROUNDS = 100;

/** Plain `neffos.dial(url, events)`, as the README shows it; resolves with the welcome's body. */
async function welcomeOf(url: string, round: number): Promise<string> {
  const welcomed = deferred<string>();
  const events = { default: { welcome: (_ns: unknown, msg: { Body: string }) => welcomed.resolve(msg.Body) } };
  const conn = (await waitFor(neffos.dial(url, events as never), `neffos.dial #${round}`)) as unknown as NeffosConn;
  try {
    await waitFor(conn.connect('default'), `connect #${round}`);
    return await waitFor(welcomed, `the welcome of dial #${round} (lost if it shared a socket read with the connect reply)`);
  } finally {
    await closeNeffos(conn);
  }
}

describe('neffos.js in Node with its default options', () => {
  const h = useEngineHarness();

  it(`receives the welcome written by _OnNamespaceConnected, ${ROUNDS} times in a row (engine)`, async () => {
    await h.start({ path: '/echo', namespaces: { default: { _OnNamespaceConnected: (_msg, ns) => ns.emit('welcome', `hello ${ns.id}`) } } });
    for (let i = 0; i < ROUNDS; i++) expect(await welcomeOf(h.wsUrl(), i)).toMatch(/^hello /);
  });
});

@NeffosController('default')
class WelcomeController {
  onNamespaceConnected(_msg: Message, conn: NSConn): void {
    conn.emit('welcome', `hello ${conn.id}`);
  }
}

describe('neffos.js in Node against NeffosModule', () => {
  let testing: TestingApp | undefined;
  afterEach(async () => {
    await testing?.close();
    testing = undefined;
  });

  it(`receives the welcome of onNamespaceConnected, ${ROUNDS} times in a row`, async () => {
    testing = await createTestingApp({ imports: [NeffosModule.forRoot({ path: '/ws' })], providers: [WelcomeController] });
    for (let i = 0; i < ROUNDS; i++) expect(await welcomeOf(testing.url, i)).toMatch(/^hello /);
  }, 60_000);
});
