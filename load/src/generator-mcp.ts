import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SbError } from '@switchboard/protocol';

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
    const result = await this.client.callTool(
      { name, arguments: args },
      { timeout: this.timeoutMs },
    );
    if (result.isError === true) {
      const text = JSON.stringify(result.content);
      const code = /E_[A-Z_]+/.exec(text)?.[0] ?? 'E_MCP_TOOL_ERROR';
      throw Object.assign(new Error(`MCP tool ${name} failed: ${text.slice(0, 200)}`), { code });
    }
  }

  async close(): Promise<void> {
    await this.client?.close().catch(() => undefined);
  }
}
