import { AgentCard } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import {
  acceptedKeyIdsOf,
  PEER_ENCRYPTION_URI,
  peerEncryptionExtension,
  sharedKeyFor,
} from './peer-extension.ts';

const cardWith = (extensions: unknown[]) =>
  AgentCard.fromJSON({
    name: 'Remote',
    description: 'a remote agent',
    version: '1',
    capabilities: { extensions },
    skills: [],
  });

const accepting = (keyIds: unknown) =>
  cardWith([{ uri: PEER_ENCRYPTION_URI, description: 'sealed', params: { keyIds } }]);

describe('peerEncryptionExtension', () => {
  it('declares the key ids, required only in mode require', () => {
    expect(peerEncryptionExtension('prefer', ['k1', 'k2'])).toMatchObject({
      uri: PEER_ENCRYPTION_URI,
      required: false,
      params: { keyIds: ['k1', 'k2'] },
    });
    expect(peerEncryptionExtension('require', ['k1'])).toMatchObject({ required: true });
  });

  it('declares nothing when this peer does not encrypt', () => {
    expect(peerEncryptionExtension('off', ['k1'])).toBeUndefined();
    expect(peerEncryptionExtension('prefer', [])).toBeUndefined();
  });
});

describe('acceptedKeyIdsOf', () => {
  it('reads the key ids of the extension, and none from a card without it', () => {
    expect(acceptedKeyIdsOf(accepting(['k1']))).toEqual(['k1']);
    expect(acceptedKeyIdsOf(cardWith([{ uri: 'https://other.example/ext', params: {} }]))).toEqual(
      [],
    );
    expect(acceptedKeyIdsOf(AgentCard.fromJSON({ name: 'bare' }))).toEqual([]);
  });

  it('ignores params that are not a list of key ids', () => {
    expect(acceptedKeyIdsOf(accepting('k1'))).toEqual([]);
    expect(acceptedKeyIdsOf(accepting(['not a key id!']))).toEqual([]);
  });
});

describe('sharedKeyFor', () => {
  it('picks the first key held (the active one first) that the peer accepts', () => {
    expect(sharedKeyFor('p', accepting(['k2', 'k3']), 'prefer', ['k1', 'k3', 'k2'])).toBe('k3');
    expect(sharedKeyFor('p', accepting(['k1']), 'require', ['k1'])).toBe('k1');
  });

  it('calls in clear in mode prefer when no key is shared, and always in mode off', () => {
    expect(sharedKeyFor('p', accepting(['k9']), 'prefer', ['k1'])).toBeUndefined();
    expect(sharedKeyFor('p', cardWith([]), 'prefer', ['k1'])).toBeUndefined();
    expect(sharedKeyFor('p', accepting(['k1']), 'off', ['k1'])).toBeUndefined();
  });

  it('refuses in mode require, saying what is missing', () => {
    expect(() => sharedKeyFor('plain', cardWith([]), 'require', ['k1'])).toThrow(
      expect.objectContaining({
        code: 'E_ENCRYPTION_REQUIRED',
        message: expect.stringMatching(/^the A2A peer plain does not offer/),
      }),
    );
    expect(() => sharedKeyFor('other', accepting(['k7', 'k8']), 'require', ['k1'])).toThrow(
      expect.objectContaining({
        code: 'E_ENCRYPTION_REQUIRED',
        message: expect.stringContaining('accepts keys k7, k8, none of which is held here'),
        details: { peer: 'other', accepted: ['k7', 'k8'] },
      }),
    );
  });
});
