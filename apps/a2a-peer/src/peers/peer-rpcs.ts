import { assertAllowed, authorize } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  A2aHeaders,
  type DirectoryEntry,
  DirectorySearchRpc,
  type JsonValue,
  PeerChangedEventSchema,
  PeersAddRpc,
  PeersGetRpc,
  PeersListRpc,
  PeersRemoveRpc,
  RemoteSendRpc,
  remoteRecipientOf,
  SbError,
  ToolsA2aPublishRpc,
} from '@switchboard/protocol';
import { serveAs } from '@switchboard/service';
import type { AgentCatalog } from '../agent-catalog.ts';
import { skillOf } from '../cards.ts';
import { type CardFetcher, cardUrlOf } from './peer-cards.ts';
import type { PeerDirectory } from './peer-directory.ts';
import { noSuchPeer, type PeerStore, peerRecordOf } from './peer-store.ts';
import { peerViewOf, toolsOfPeer } from './peer-view.ts';
import { partsOfPayload, type RemoteRequest, type RemoteTasks } from './remote-tasks.ts';

/** Largest message an agent may send to a remote agent, serialized. */
const MAX_REMOTE_PAYLOAD_BYTES = 512 * 1024;

/**
 * Serves the peer RPCs: operators register, list and remove peers and search the directory;
 * agents send to remote recipients (`remote.send`, reached through the gateway's `send`).
 */
export function servePeerRpcs(deps: {
  bus: Bus;
  store: PeerStore;
  peers: PeerDirectory;
  cards: CardFetcher;
  catalog: AgentCatalog;
  remote: RemoteTasks;
  log: Logger;
}): BusSubscription[] {
  const serve = serveAs(deps.bus, 'a2a');
  const announce = (name: string, what: 'added' | 'removed', status: 'up' | 'unknown') =>
    deps.bus.publishEvent(deps.bus.subjects.event('a2a', 'peer'), PeerChangedEventSchema, {
      name,
      what,
      status,
    });

  const publishTools = (peer: string, tools: ReturnType<typeof toolsOfPeer>, principal: string) =>
    deps.bus.request(
      deps.bus.subjects.rpc('tools', ToolsA2aPublishRpc.operation),
      ToolsA2aPublishRpc,
      { peer, tools },
      { principal },
    );

  // The peer is gone or no longer publishes: its tools go, or stay with the operator told in the
  // log (the registry was not reached; they fail with E_NOT_FOUND from the peer until withdrawn).
  const withdrawTools = (peer: string, principal: string) =>
    publishTools(peer, [], principal).catch((error: unknown) =>
      deps.log.warn({ err: error, peer }, 'the tools of a peer could not be withdrawn'),
    );

  return [
    serve(PeersAddRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'peers:write' });
      const cardUrl = cardUrlOf(request.url);
      const fetched = await deps.cards.fetch(cardUrl);
      const before = await deps.store.get(request.name);
      const peer = await deps.store.put({
        name: request.name,
        cardUrl,
        card: fetched.card,
        token: request.token,
        signature: fetched.signature,
        publishTools: request.publishTools,
        addedBy: caller.principal.id,
        latencyMs: fetched.latencyMs,
      });
      await deps.peers.invalidate();
      await announce(peer.name, 'added', 'up');
      if (request.publishTools) {
        await publishTools(peer.name, toolsOfPeer(peer.name, peer.card), caller.header);
      } else if (before?.publishTools === true) {
        await withdrawTools(peer.name, caller.header);
      }
      return peerRecordOf(peer);
    }),

    serve(PeersListRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'peers:read' });
      const peers = await deps.store.list();
      return {
        items: peers
          .filter((peer) => request.status === undefined || peer.status === request.status)
          .map(peerRecordOf),
      };
    }),

    serve(PeersGetRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'peers:read' });
      const peer = await deps.store.get(request.name);
      if (peer === undefined) throw noSuchPeer(request.name);
      return peerRecordOf(peer);
    }),

    serve(PeersRemoveRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'peers:write' });
      const before = await deps.store.get(request.name);
      const removed = await deps.store.remove(request.name);
      if (removed) {
        await deps.peers.invalidate();
        await announce(request.name, 'removed', 'unknown');
        if (before?.publishTools === true) await withdrawTools(request.name, caller.header);
      }
      return { removed };
    }),

    serve(DirectorySearchRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'peers:read' });
      const local: DirectoryEntry[] = (await deps.catalog.all()).map((agent) => ({
        kind: 'local',
        address: agent.id,
        name: agent.name,
        description: agent.description ?? '',
        skills: agent.capabilities.map((capability) => {
          const skill = skillOf(capability, agent.name);
          return {
            id: skill.id,
            name: skill.name,
            description: skill.description,
            tags: skill.tags,
          };
        }),
        status: agent.status,
      }));
      const remote: DirectoryEntry[] = (await deps.peers.list()).map((peer) => ({
        kind: 'remote',
        address: `a2a:${peer.name}`,
        name: peer.card.name,
        description: peer.card.description,
        skills: peerViewOf(peer.card).skills,
        status: peer.status,
      }));
      const q = request.q?.toLowerCase();
      const items = [...local, ...remote].filter(
        (entry) =>
          (request.kind === undefined || entry.kind === request.kind) &&
          (request.status === undefined || entry.status === request.status) &&
          (request.skill === undefined ||
            entry.skills.some((skill) => skill.id === request.skill)) &&
          (request.tag === undefined ||
            entry.skills.some((skill) => skill.tags.includes(request.tag as string))) &&
          (q === undefined ||
            [
              entry.name,
              entry.description,
              entry.address,
              ...entry.skills.map((skill) => `${skill.id} ${skill.name} ${skill.description}`),
            ]
              .join(' ')
              .toLowerCase()
              .includes(q)),
      );
      return { items };
    }),

    serve(RemoteSendRpc, async ({ message }, caller) => {
      const agentId = caller.agentId;
      if (agentId === null) {
        throw new SbError(
          'E_FORBIDDEN',
          'only agents send to remote A2A agents: the updates come back to the sending agent',
        );
      }
      const target =
        message.to.kind === 'agent' ? remoteRecipientOf(message.to.agentId) : undefined;
      if (target === undefined || message.to.kind !== 'agent') {
        throw new SbError('E_VALIDATION', 'a remote recipient is a2a:<peer> or a2a:skill:<skill>');
      }
      const size = Buffer.byteLength(JSON.stringify(message.payload));
      if (size > MAX_REMOTE_PAYLOAD_BYTES) {
        throw new SbError(
          'E_PAYLOAD_TOO_LARGE',
          `the payload is ${size} bytes as JSON; the limit is ${MAX_REMOTE_PAYLOAD_BYTES}`,
        );
      }
      const peers = await deps.peers.list();
      if (target.kind === 'peer') {
        if (!peers.some((peer) => peer.name === target.peer)) throw noSuchPeer(target.peer);
        assertAllowed(caller.principal, { kind: 'a2a', peer: target.peer });
      } else {
        const able = peers.filter((peer) =>
          peerViewOf(peer.card).skills.some((skill) => skill.id === target.skill),
        );
        if (able.length === 0) {
          throw new SbError('E_NOT_FOUND', `no registered A2A peer has skill ${target.skill}`);
        }
        if (
          !able.some(
            (peer) => authorize(caller.principal, { kind: 'a2a', peer: peer.name }).allowed,
          )
        ) {
          throw new SbError(
            'E_FORBIDDEN',
            `principal ${caller.principal.id} has no a2a grant for any peer with skill ${target.skill}`,
          );
        }
      }
      const request: RemoteRequest = {
        message: {
          messageId: message.id,
          role: 'ROLE_USER',
          parts: partsOfPayload(message.payload),
        } as JsonValue,
        skill: target.kind === 'skill' ? target.skill : (message.headers?.['a2a-skill'] ?? null),
        conversationId: message.conversationId ?? null,
      };
      const inserted = await deps.store.addRemoteTask({
        id: message.id,
        recipient: message.to.agentId,
        agentId,
        principal: caller.header,
        remoteTaskId: message.headers?.[A2aHeaders.task] ?? null,
        contextId: message.conversationId ?? null,
        request: request as unknown as JsonValue,
      });
      if (inserted) deps.remote.kick();
      return { messageId: message.id, recipients: 1, duplicate: !inserted };
    }),
  ];
}
