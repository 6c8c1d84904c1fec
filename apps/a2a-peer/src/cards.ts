import {
  A2A_PROTOCOL_VERSION,
  AgentCard,
  type AgentExtension,
  type AgentSkill,
  generateAgentCardSignature,
} from '@a2a-js/sdk';
import { type AgentRecord, type Capability, SbError } from '@switchboard/protocol';
import { type CryptoKey, importJWK, type JWK } from 'jose';
import type { SigningKey } from './config.ts';

/** The A2A protocol version older clients speak, served through the SDK's compatibility layer. */
export const LEGACY_PROTOCOL_VERSION = '0.3';

/** Where a card's endpoints live, relative to the public URL. */
export type CardTarget = { kind: 'orchestrator' } | { kind: 'agent'; agentId: string };

/** The path prefix of a target's endpoints ('' for the orchestrator). */
export const basePathOf = (target: CardTarget): string =>
  target.kind === 'orchestrator' ? '' : `/agents/${encodeURIComponent(target.agentId)}`;

/** What every card shares: the public URL, the provider and the extensions this peer offers. */
export interface CardSettings {
  publicUrl: string;
  organization: string;
  organizationUrl?: string | undefined;
  extensions?: readonly AgentExtension[];
}

const MODES = ['text/plain', 'application/json'];

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * An agent capability as an A2A skill: its name is the skill id; `metadata` may describe it
 * (`name`, `description`, `tags`, `examples`, `inputModes`, `outputModes`).
 */
export function skillOf(capability: Capability, agentName: string): AgentSkill {
  const metadata = capability.metadata ?? {};
  return {
    id: capability.name,
    name: text(metadata.name) ?? capability.name,
    description: text(metadata.description) ?? `${capability.name}, as ${agentName} does it`,
    tags: texts(metadata.tags),
    examples: texts(metadata.examples),
    inputModes: texts(metadata.inputModes),
    outputModes: texts(metadata.outputModes),
    securityRequirements: [],
  };
}

/** A card in the SDK's model: interfaces for both bindings in v1.0 and v0.3, bearer auth. */
export function buildCard(input: {
  settings: CardSettings;
  target: CardTarget;
  name: string;
  description: string;
  version: string;
  skills: AgentSkill[];
}): AgentCard {
  const base = `${input.settings.publicUrl.replace(/\/$/, '')}${basePathOf(input.target)}`;
  const interfaces = [A2A_PROTOCOL_VERSION, LEGACY_PROTOCOL_VERSION].flatMap((protocolVersion) => [
    { url: `${base}/jsonrpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion },
    { url: `${base}/rest`, protocolBinding: 'HTTP+JSON', tenant: '', protocolVersion },
  ]);
  return {
    name: input.name,
    description: input.description,
    supportedInterfaces: interfaces,
    provider: {
      organization: input.settings.organization,
      url: input.settings.organizationUrl ?? input.settings.publicUrl,
    },
    version: input.version,
    capabilities: {
      streaming: true,
      pushNotifications: true,
      extensions: [...(input.settings.extensions ?? [])],
      extendedAgentCard: true,
    },
    securitySchemes: {
      bearer: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            description: 'A Switchboard API key or a JWT the gateway accepts',
            scheme: 'Bearer',
            bearerFormat: '',
          },
        },
      },
    },
    securityRequirements: [{ schemes: { bearer: { list: [] } } }],
    defaultInputModes: MODES,
    defaultOutputModes: MODES,
    skills: input.skills,
    signatures: [],
  };
}

/** The card of a published local agent. */
export function agentCard(settings: CardSettings, agent: AgentRecord): AgentCard {
  return buildCard({
    settings,
    target: { kind: 'agent', agentId: agent.id },
    name: agent.name,
    description: agent.description ?? `${agent.name}, a Switchboard agent`,
    version: agent.version,
    skills: agent.capabilities.map((capability) => skillOf(capability, agent.name)),
  });
}

/** The orchestrator's card: one skill per capability any published agent has. */
export function orchestratorCard(
  settings: CardSettings,
  identity: { name: string; description: string; version: string },
  agents: readonly AgentRecord[],
): AgentCard {
  const skills = new Map<string, AgentSkill>();
  for (const agent of [...agents].sort((a, b) => a.id.localeCompare(b.id))) {
    for (const capability of agent.capabilities) {
      if (!skills.has(capability.name))
        skills.set(capability.name, skillOf(capability, agent.name));
    }
  }
  return buildCard({
    settings,
    target: { kind: 'orchestrator' },
    ...identity,
    skills: [...skills.values()].sort((a, b) => a.id.localeCompare(b.id)),
  });
}

/** A card as JSON (v1.0 wire form), signed with the first key when keys are configured. */
export type CardSigner = (card: AgentCard) => Promise<Record<string, unknown>>;

/**
 * Signs cards as A2A v1.0 defines: a detached JWS (flattened, `kid` and `typ: JOSE` in the
 * protected header) over the card canonicalized with JCS (RFC 8785), without `signatures`.
 */
export async function createCardSigner(keys: readonly SigningKey[]): Promise<{
  sign: CardSigner;
  jwks: { keys: JWK[] };
  /** The key that signs (the first), for push notifications too. */
  key: { kid: string; alg: string; key: CryptoKey } | undefined;
}> {
  const imported = await Promise.all(
    keys.map(async (key) => {
      const jwk = key.privateJwk as JWK;
      const alg = jwk.alg ?? (jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');
      if (jwk.kty !== 'EC' && jwk.kty !== 'OKP') {
        throw new SbError(
          'E_VALIDATION',
          `a2a.signing.keys: key ${key.kid} is a ${String(jwk.kty)} key; use an EC (P-256) or OKP (Ed25519) private JWK`,
        );
      }
      const privateKey = (await importJWK(jwk, alg)) as CryptoKey;
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
      return {
        kid: key.kid,
        alg,
        privateKey,
        publicJwk: { ...publicJwk, kid: key.kid, alg, use: 'sig' },
      };
    }),
  );
  const signer = imported[0];
  const sign: CardSigner = async (card) => {
    const json = AgentCard.toJSON(card) as Record<string, unknown>;
    if (signer === undefined) return json;
    // The SDK's signer canonicalizes the card from its JSON form.
    const generate = generateAgentCardSignature(signer.privateKey, {
      alg: signer.alg,
      kid: signer.kid,
      typ: 'JOSE',
    });
    return (await generate(json as unknown as AgentCard)) as unknown as Record<string, unknown>;
  };
  return {
    sign,
    jwks: { keys: imported.map((key) => key.publicJwk) },
    key:
      signer === undefined
        ? undefined
        : { kid: signer.kid, alg: signer.alg, key: signer.privateKey },
  };
}
