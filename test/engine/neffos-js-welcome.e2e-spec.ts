// An unmodified neffos.js client in Node (default dial options, so ws delivers the frames of one read
// synchronously) receives what `onNamespaceConnected` writes: the engine runs the hook once the client
// has answered a ping sent after the connect reply (docs/protocol.md §10.21). 100 dials in a row in this
// process, on the engine and through Nest, and dials from a client in another process, where the reply
// and the welcome used to share a socket read about one dial in two.
import { spawn } from 'node:child_process';
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

/**
 * `rounds` plain dials from a neffos.js client in a child process, one after another: dial, connect,
 * wait up to 5 s for the welcome (a lost one never comes), close. Resolves with how many welcomes arrived.
 */
function welcomesFromAnotherProcess(url: string, rounds: number): Promise<number> {
  const script = `
    import * as neffos from 'neffos.js';
    let welcomed = 0;
    for (let i = 0; i < ${rounds}; i++) {
      let arrived;
      const welcome = new Promise((resolve) => (arrived = resolve));
      const conn = await neffos.dial(${JSON.stringify(url)}, { default: { welcome: () => arrived(true) } });
      await conn.connect('default');
      if (await Promise.race([welcome, new Promise((resolve) => setTimeout(resolve, 5000, false))])) welcomed++;
      conn.close();
    }
    console.log(welcomed);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Number(out.trim()));
      else reject(new Error(`the neffos.js client process exited with ${code}: ${out}${err}`));
    });
  });
}

describe('neffos.js in Node, in another process', () => {
  const h = useEngineHarness();

  it('receives the welcome written by _OnNamespaceConnected on every dial', async () => {
    await h.start({ path: '/echo', namespaces: { default: { _OnNamespaceConnected: (_msg, ns) => ns.emit('welcome', `hello ${ns.id}`) } } });
    expect(await welcomesFromAnotherProcess(h.wsUrl(), 40)).toBe(40);
  }, 90_000);
});

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
