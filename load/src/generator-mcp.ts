import { Client, SdkHttpError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SbError } from '@switchboard/protocol';

/** The Switchboard error code a registry's answer names, if it names one. */
function serverCodeIn(text: string | undefined): string | undefined {
  return text === undefined ? undefined : /E_[A-Z_]+/.exec(text)?.[0];
}

/**
 * The SDK reports any HTTP error status other than 400 and 401 as `CLIENT_HTTP_NOT_IMPLEMENTED`,
 * whatever the body says: the report counts the code the registry answered (`E_RATE_LIMITED` on
 * a 429) or, without one, the status.
 */
function withServerCode(error: unknown): unknown {
  if (!(error instanceof SdkHttpError)) return error;
  const code = serverCodeIn(error.data?.text as string | undefined) ?? `HTTP_${error.status}`;
  return Object.assign(new Error(error.message, { cause: error }), { code });
}

/** One MCP client (the official SDK, Streamable HTTP) on the tool registry's /mcp. */
export class McpToolClient {
  private client: Client | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    /** How long a call may take (the SDK's default is a minute: a fault would hold it that long). */
    private readonly timeoutMs: number,
  ) {}

  async connect(): Promise<void> {
    const client = new Client({ name: 'switchboard-load', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(this.url), {
        requestInit: { headers: { authorization: `Bearer ${this.token}` } },
      }),
    );
    this.client = client;
  }

  /** Calls a tool; a result marked `isError` rejects with the code the registry put in it. */
  async call(name: string, args: Record<string, string>): Promise<void> {
    if (this.client === undefined)
      throw new SbError('E_UNAVAILABLE', 'the MCP client is not connected');
    const result = await this.client
      .callTool({ name, arguments: args }, { timeout: this.timeoutMs })
      .catch((error: unknown) => {
        throw withServerCode(error);
      });
    if (result.isError === true) {
      const text = JSON.stringify(result.content);
      const code = serverCodeIn(text) ?? 'E_MCP_TOOL_ERROR';
      throw Object.assign(new Error(`MCP tool ${name} failed: ${text.slice(0, 200)}`), { code });
    }
  }

  async close(): Promise<void> {
    await this.client?.close().catch(() => undefined);
  }
}
