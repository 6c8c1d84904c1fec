import { Message, type Task, TaskState } from '@a2a-js/sdk';
import { type Client, ClientFactory, JsonRpcTransportFactory } from '@a2a-js/sdk/client';

/**
 * @a2a-js/sdk clients of the A2A peer, one per local agent (each has its own card), sending
 * blocking SendMessage requests over JSON-RPC: each creates a task the agent completes.
 */
export class A2aClients {
  private readonly clients = new Map<string, Promise<Client>>();
  /** Message ids of the sends that failed, for the checker (see ClientRecords). */
  readonly failedSends: string[] = [];

  constructor(
    private readonly peerUrl: string,
    private readonly token: string,
    /** How long one SendMessage may take before the client gives up on it. */
    private readonly timeoutMs: number,
  ) {}

  private clientOf(agentId: string): Promise<Client> {
    let client = this.clients.get(agentId);
    if (client === undefined) {
      const fetchImpl: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${this.token}`);
        const timeout = AbortSignal.timeout(this.timeoutMs);
        const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
        return fetch(input, { ...init, headers, signal }).catch((error: unknown) => {
          // Given up (the peer did not answer in time): an error code the report can count.
          if (timeout.aborted)
            throw Object.assign(new Error('A2A call timed out'), { code: 'E_TIMEOUT' });
          throw error;
        });
      };
      client = new ClientFactory({
        transports: [new JsonRpcTransportFactory({ fetchImpl })],
        preferredTransports: ['JSONRPC'],
      }).createFromUrl(`${this.peerUrl}/agents/${agentId}/.well-known/agent-card.json`, '');
      // A failed card fetch is tried again by the next send.
      client.catch(() => this.clients.delete(agentId));
      this.clients.set(agentId, client);
    }
    return client;
  }

  /** One round trip: resolves when the agent completed the task, rejects otherwise. */
  async send(agentId: string, text: string): Promise<void> {
    const messageId = crypto.randomUUID();
    try {
      await this.sendOnce(agentId, messageId, text);
    } catch (error) {
      this.failedSends.push(messageId);
      // The SDK turns the peer's JSON-RPC error into a plain Error: its message names the code.
      const code = (error as { code?: unknown }).code;
      const named = /E_[A-Z_]+/.exec(String((error as Error).message))?.[0];
      if (typeof code !== 'string' && named !== undefined)
        Object.assign(error as Error, { code: named });
      throw error;
    }
  }

  private async sendOnce(agentId: string, messageId: string, text: string): Promise<void> {
    const client = await this.clientOf(agentId);
    const result = await client.sendMessage({
      tenant: '',
      message: Message.fromJSON({ messageId, role: 'ROLE_USER', parts: [{ text }] }),
      configuration: undefined,
      metadata: undefined,
    });
    const state = (result as Task).status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
    if (state !== TaskState.TASK_STATE_COMPLETED) {
      throw Object.assign(new Error(`the A2A task ended ${TaskState[state]}`), {
        code: `A2A_${TaskState[state]}`,
      });
    }
  }
}
