import { assertAllowed } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import {
  ToolsA2aPublishRpc,
  ToolsAuditRpc,
  ToolsCallRpc,
  ToolsDeprecateRpc,
  ToolsFiguresRpc,
  ToolsGetRpc,
  ToolsGroupDeleteRpc,
  ToolsGroupSetRpc,
  ToolsGroupsRpc,
  ToolsImportRpc,
  ToolsListRpc,
  ToolsRegisterRpc,
  ToolsRetireRpc,
  ToolsSearchRpc,
  ToolsUpstreamsRpc,
  ToolsVersionsRpc,
} from '@switchboard/protocol';
import { serveAs } from '@switchboard/service';
import type { Catalog } from '../catalog.ts';
import type { AuditStore } from '../db/audit-store.ts';
import type { GroupStore } from '../db/group-store.ts';
import type { UpstreamStore } from '../db/upstream-store.ts';
import type { Figures } from '../figures.ts';
import type { Invoker } from '../invoker.ts';
import type { UpstreamSync } from '../upstream/upstream-sync.ts';

/** Serves every tool-registry RPC in the `tools` queue group. */
export function serveToolRpcs(deps: {
  bus: Bus;
  catalog: Catalog;
  invoker: Invoker;
  upstreams: UpstreamStore;
  upstreamSync: UpstreamSync;
  audit: AuditStore;
  figures: Figures;
  groups: GroupStore;
}): BusSubscription[] {
  const { bus, catalog, invoker } = deps;
  const serve = serveAs(bus, 'tools');

  return [
    serve(ToolsRegisterRpc, (request, caller) => catalog.register(caller, request.tools)),
    serve(ToolsCallRpc, (request, caller) => invoker.call(caller, request)),
    serve(ToolsGetRpc, (request, caller) => catalog.get(caller, request.name, request.range)),
    serve(ToolsVersionsRpc, async (request, caller) => ({
      items: await catalog.versions(caller, request.name),
    })),
    serve(ToolsListRpc, (request, caller) => catalog.list(caller, request)),
    serve(ToolsDeprecateRpc, (request, caller) =>
      catalog.deprecate(caller, request.name, request.version, request.reason),
    ),
    serve(ToolsRetireRpc, (request, caller) =>
      catalog.retire(caller, request.name, request.version),
    ),
    serve(ToolsImportRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:write' });
      return deps.upstreamSync.importServer(request.name, request.url);
    }),
    serve(ToolsA2aPublishRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:write' });
      return { tools: await deps.upstreamSync.publishA2a(request.peer, request.tools) };
    }),
    serve(ToolsSearchRpc, (request, caller) => catalog.search(caller, request)),
    serve(ToolsGroupSetRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:write' });
      return deps.groups.set(request);
    }),
    serve(ToolsGroupsRpc, async () => ({ items: await deps.groups.all() })),
    serve(ToolsGroupDeleteRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:write' });
      return { removed: await deps.groups.delete(request.name) };
    }),
    serve(ToolsAuditRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:read' });
      return deps.audit.page(request);
    }),
    serve(ToolsFiguresRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:read' });
      return { items: await deps.figures.of(request) };
    }),
    serve(ToolsUpstreamsRpc, async (_request, caller) => {
      assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:read' });
      return { items: await deps.upstreams.all() };
    }),
  ];
}
