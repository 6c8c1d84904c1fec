import { describe, expect, it } from 'vitest';
import { cardUrlOf, createCardFetcher } from './peer-cards.ts';

describe('card URLs', () => {
  it('keeps a URL that names a JSON file and adds the well-known path to a base URL', () => {
    expect(cardUrlOf('https://r.example/cards/agent.json')).toBe(
      'https://r.example/cards/agent.json',
    );
    expect(cardUrlOf('https://r.example/')).toBe('https://r.example/.well-known/agent-card.json');
    expect(cardUrlOf('https://r.example/agents/a')).toBe(
      'https://r.example/agents/a/.well-known/agent-card.json',
    );
  });
});

describe('fetching cards', () => {
  it('refuses private and loopback addresses unless allowed (SSRF)', async () => {
    const fetcher = createCardFetcher({ allowPrivate: () => false, timeoutMs: () => 1000 });
    for (const url of ['http://127.0.0.1:9/card.json', 'http://169.254.169.254/latest.json']) {
      await expect(fetcher.fetch(url)).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    }
  });

  it('reports an unreachable peer as unavailable', async () => {
    const fetcher = createCardFetcher({ allowPrivate: () => true, timeoutMs: () => 1000 });
    await expect(fetcher.fetch('http://127.0.0.1:9/card.json')).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
    });
  });
});
