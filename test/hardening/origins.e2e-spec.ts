// Issue 8 item 4 (origins): an `origins` string — how a value from ConfigService or an environment
// variable arrives — is one exact origin, never a substring pattern, and every origin is validated at
// start-up, so a typo fails the boot instead of silently admitting (or refusing) browsers.
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type Message, NeffosController } from '../../lib/index.js';
import { OPTION_BAD_ORIGIN } from '../../lib/engine/engine.messages.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { RawClient } from '../utils/raw-client.js';

const namespaces = { default: { echo: (msg: Message) => msg.body } };

async function outcome(url: string, origin: string | undefined): Promise<string> {
  return RawClient.upgradeOutcome(url, origin === undefined ? {} : { origin });
}

describe('origins on the engine', () => {
  const h = useEngineHarness();

  it('a string is one exact origin: prefixes, longer hosts and other schemes or ports are refused with 403', async () => {
    await h.start({ path: '/echo', namespaces, origins: 'https://app.example.com' });
    const url = h.wsUrl();
    expect(await outcome(url, 'https://app.example.com')).toBe('accepted');
    for (const origin of ['https://app.example.co', 'https://app.exa', 'https://app.example.com.evil.test', 'http://app.example.com', 'https://app.example.com:8443', 'https://pp.example.com']) {
      expect([origin, await outcome(url, origin)]).toEqual([origin, 'HTTP 403']); // today: the first two are accepted
    }
    expect(await outcome(url, undefined)).toBe('accepted'); // not a browser: no Origin, as with a list
  });

  it('a list matches each entry exactly', async () => {
    await h.start({ path: '/echo', namespaces, origins: ['https://a.example', 'http://localhost:3000'] });
    expect(await outcome(h.wsUrl(), 'http://localhost:3000')).toBe('accepted');
    expect(await outcome(h.wsUrl(), 'http://localhost:300')).toBe('HTTP 403');
    expect(await outcome(h.wsUrl(), 'https://a.exampl')).toBe('HTTP 403');
  });

  it.each([
    ['https://app.example.com/', 'https://app.example.com'],
    ['https://APP.example.com', 'https://app.example.com'],
    ['https://app.example.com/login', 'https://app.example.com'],
    ['app.example.com', undefined],
    ['https://a.example,https://b.example', undefined],
    ['', undefined],
  ])('start-up refuses %j with an InvalidOptionError that says what an origin is', async (origin, suggestion) => {
    const start = h.start({ path: '/echo', namespaces, origins: origin });
    await expect(start).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(start).rejects.toThrow(OPTION_BAD_ORIGIN(origin, suggestion));
  });

  it('start-up refuses a list with one malformed entry, naming it', async () => {
    await expect(h.start({ path: '/echo', namespaces, origins: ['https://ok.example', 'https://bad.example/'] })).rejects.toThrow(/"https:\/\/bad\.example\/" is not an origin.*did you mean "https:\/\/bad\.example"/);
  });
});

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

describe('origins on a Nest app', () => {
  useNestApps();

  it('forRoot({ origins: string }) matches exactly', async () => {
    const h = await createNestApp({ providers: [EchoController], neffos: { origins: 'https://app.example.com' } });
    expect(await outcome(h.url, 'https://app.example.com')).toBe('accepted');
    expect(await outcome(h.url, 'https://app.example.co')).toBe('HTTP 403');
  });

  it('a malformed origin fails app start-up with the InvalidOptionError', async () => {
    // While Nest creates the module (compile()), before app.init(), as every option value.
    const start = createNestApp({ providers: [EchoController], neffos: { origins: 'https://app.example.com/' }, listen: false });
    await expect(start).rejects.toThrow(OPTION_BAD_ORIGIN('https://app.example.com/', 'https://app.example.com'));
  });
});
