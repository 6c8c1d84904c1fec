import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentCard, generateAgentCardSignature, Message, type Task, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  InMemoryTaskStore,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express from 'express';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

// A remote A2A agent for tests and the load suite, built with the official @a2a-js/sdk server (its request handler,
// task store and Express JSON-RPC handler): our client must talk to it as to any A2A server.

export interface RemoteAgent {
  readonly baseUrl: string;
  readonly cardUrl: string;
  /** Messages it received, by text. */
  readonly received: string[];
  /** Holds tasks whose text is `hold` until called. */
  releaseHeld(): void;
  /** Stops answering (connections refused) until `resume()`. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

const text = (message: Message) =>
  message.parts.map((part) => (part.content?.$case === 'text' ? part.content.value : '')).join('');

/**
 * Starts a remote agent with skills `skills`; it answers `remote says <text>` after a `working`
 * update. With `sign`, its card is signed (ES256, `jku` naming its JWKS); with `tamper`, the
 * card it serves is changed after signing (its signature no longer verifies).
 */
export async function startRemoteAgent(options: {
  name: string;
  skills: string[];
  sign?: boolean;
  tamper?: boolean;
  streaming?: boolean;
}): Promise<RemoteAgent> {
  const received: string[] = [];
  let releaseHeld: () => void = () => undefined;
  let held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  const app = express();
  let server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = {
    keys: [{ ...(await exportJWK(publicKey)), kid: 'remote-1', alg: 'ES256' } as JWK],
  };
  const card: AgentCard = AgentCard.fromJSON({
    name: options.name,
    description: `${options.name}, a remote agent for tests`,
    version: '2.0.0',
    supportedInterfaces: [
      { url: `${baseUrl}/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    capabilities: { streaming: options.streaming ?? true, pushNotifications: false },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: options.skills.map((skill) => ({
      id: skill,
      name: skill,
      description: `does ${skill}`,
      tags: ['remote'],
    })),
  });
  let cardJson = AgentCard.toJSON(card) as Record<string, unknown>;
  if (options.sign === true) {
    const sign = generateAgentCardSignature(privateKey, {
      alg: 'ES256',
      kid: 'remote-1',
      typ: 'JOSE',
      jku: `${baseUrl}/.well-known/jwks.json`,
    });
    cardJson = (await sign(cardJson as unknown as AgentCard)) as unknown as Record<string, unknown>;
  }
  if (options.tamper === true) cardJson = { ...cardJson, description: 'changed after signing' };

  const executor: AgentExecutor = {
    async execute(context, bus) {
      const said = text(context.userMessage);
      received.push(said);
      const ids = { taskId: context.taskId, contextId: context.contextId };
      const task: Task = context.task ?? {
        id: context.taskId,
        contextId: context.contextId,
        status: {
          state: TaskState.TASK_STATE_SUBMITTED,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        artifacts: [],
        history: [context.userMessage],
        metadata: undefined,
      };
      bus.publish(AgentEvent.task(task));
      bus.publish(
        AgentEvent.statusUpdate({
          ...ids,
          status: {
            state: TaskState.TASK_STATE_WORKING,
            message: undefined,
            timestamp: new Date().toISOString(),
          },
          metadata: undefined,
        }),
      );
      if (said === 'hold') await held;
      bus.publish(
        AgentEvent.statusUpdate({
          ...ids,
          status: {
            state: TaskState.TASK_STATE_COMPLETED,
            message: Message.fromJSON({
              messageId: crypto.randomUUID(),
              role: 'ROLE_AGENT',
              parts: [{ text: `remote says ${said}` }],
              ...ids,
            }),
            timestamp: new Date().toISOString(),
          },
          metadata: undefined,
        }),
      );
      bus.finished();
    },
    async cancelTask() {},
  };
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  app.use(
    '/.well-known/agent-card.json',
    agentCardHandler({ agentCardProvider: async () => cardJson as unknown as AgentCard }),
  );
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.json(jwks);
  });
  app.use(
    '/jsonrpc',
    jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }),
  );

  return {
    baseUrl,
    cardUrl: `${baseUrl}/.well-known/agent-card.json`,
    received,
    releaseHeld: () => {
      releaseHeld();
      held = new Promise<void>((resolve) => {
        releaseHeld = resolve;
      });
    },
    async pause() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    async resume() {
      server = createServer(app);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
