import { describe, expect, it } from 'vitest';
import { remoteRecipientOf } from './a2a-peers.ts';

describe('remoteRecipientOf', () => {
  it('reads a2a:<peer> as a peer and a2a:skill:<skill> as any peer with the skill', () => {
    expect(remoteRecipientOf('a2a:weather-eu')).toEqual({ kind: 'peer', peer: 'weather-eu' });
    expect(remoteRecipientOf('a2a:skill:forecast')).toEqual({ kind: 'skill', skill: 'forecast' });
  });

  it('leaves local agent ids, an empty skill and a malformed peer name alone', () => {
    expect(remoteRecipientOf('planner')).toBeUndefined();
    expect(remoteRecipientOf('a2a:skill:')).toBeUndefined();
    expect(remoteRecipientOf('a2a:Weather EU')).toBeUndefined();
  });
});
