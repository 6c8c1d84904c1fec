import {
  type RemoteAgent,
  startRemoteAgent,
  startUpstreamMcpServer,
  type UpstreamMcpServer,
} from '@switchboard/testing';
import { operatorRequest } from './operator-api.ts';

// The servers outside the mesh that a load run talks to through it: an upstream MCP server the
// tool registry imports (its tool `upstream.echo`) and a remote A2A agent registered as the peer
// `remote`. Both are built with the official SDKs (@modelcontextprotocol/server, @a2a-js/sdk),
// run in the load run's own process, and are registered through the operator HTTP API as a
// person would.

/** The name the upstream MCP server is imported under: its tool is `upstream.echo`. */
export const UPSTREAM_NAME = 'upstream';
/** The upstream tool the mix calls. */
export const UPSTREAM_TOOL = `${UPSTREAM_NAME}.echo`;
/** The peer name of the remote A2A agent: agents send to `a2a:remote`. */
export const REMOTE_PEER = 'remote';

/** What a run needs of the outside servers. */
export interface RemoteEnds {
  upstream: UpstreamMcpServer;
  remoteAgent: RemoteAgent;
  close(): Promise<void>;
}

/**
 * Starts the upstream MCP server and the remote A2A agent, then imports the one and registers
 * the other through the gateway's operator API (`operatorKey` holds tools:write, peers:write).
 */
export async function startRemoteEnds(gatewayHttpUrl: string, operatorKey: string) {
  const upstream = await startUpstreamMcpServer({ name: 'load-upstream' });
  const remoteAgent = await startRemoteAgent({ name: 'Load remote', skills: ['echo'] }).catch(
    async (error: unknown) => {
      await upstream.close();
      throw error;
    },
  );
  const close = async () => {
    await Promise.all([upstream.close(), remoteAgent.close()]);
  };
  try {
    await operatorRequest(gatewayHttpUrl, operatorKey, 'POST', '/tools/import', {
      name: UPSTREAM_NAME,
      url: upstream.url,
    });
    await operatorRequest(gatewayHttpUrl, operatorKey, 'POST', '/a2a/peers', {
      name: REMOTE_PEER,
      url: remoteAgent.baseUrl,
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { upstream, remoteAgent, close } satisfies RemoteEnds;
}
