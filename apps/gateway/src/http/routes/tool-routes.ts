import { Readable } from 'node:stream';
import {
  MAX_AUDIT_PAGE,
  MAX_TOOLS_PAGE,
  TOOL_CALL_GRACE_MS,
  ToolArgumentsSchema,
  ToolAuditRecordSchema,
  ToolCallOutcomes,
  ToolGroupSchema,
  ToolNameSchema,
  ToolRecordSchema,
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
  ToolsRetireRpc,
  ToolsSearchRpc,
  ToolsUpstreamsRpc,
  ToolsVersionsRpc,
  ToolTagSchema,
  ToolVersionRangeSchema,
  ToolVersionSchema,
  UpstreamNameSchema,
} from '@switchboard/protocol';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { callService, pageOf, type RouteContext, type ZodScope } from '../route-context.ts';

const ToolRecord = ToolRecordSchema.meta({ id: 'ToolRecord' });
const ToolAuditRecord = ToolAuditRecordSchema.meta({ id: 'ToolAuditRecord' });
const ToolGroup = ToolGroupSchema.meta({ id: 'ToolGroup' });

const registry =
  'The tool registry checks the forwarded caller again: listing and calling need `tool` grants covering the tool and version (the admin role has them all); no registry running is `E_UNAVAILABLE`.';

const nameParams = z.strictObject({ name: ToolNameSchema.describe('A tool name (`search.web`)') });
const versionParams = nameParams.extend({ version: ToolVersionSchema });

const AuditQueryShape = {
  name: ToolNameSchema.optional().describe('Only calls of this tool'),
  caller: z.string().min(1).max(256).optional().describe('Only calls by this principal id'),
  outcome: z.enum(ToolCallOutcomes).optional(),
  since: z.iso.datetime().optional().describe('Only calls at or after this time'),
  until: z.iso.datetime().optional().describe('Only calls before this time'),
};

/**
 * `/v1/tools`: the tool registry's catalog (list, search, show, versions, call, deprecate,
 * retire), upstream MCP imports, tool groups, figures and the audit trail (a page, or every
 * matching call as JSON lines).
 */
export function registerToolRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/tools',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'List tools, one entry per tool at its default version',
        description: registry,
        querystring: z.strictObject({
          tag: ToolTagSchema.optional().describe('Only tools with this tag'),
          limit: z.coerce.number().int().min(1).max(MAX_TOOLS_PAGE).default(100),
          cursor: z.string().min(1).max(256).optional(),
        }),
        response: { 200: pageOf(ToolRecord), ...problemResponses },
      },
    },
    async (request) => callService('tools', context, request, ToolsListRpc, request.query),
  );

  scope.get(
    '/tools/search',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'Find tools by words and tags, best match first',
        description: registry,
        querystring: z.strictObject({
          q: z.string().max(512).optional().describe('Words describing the task'),
          tags: z
            .string()
            .max(512)
            .optional()
            .describe('Comma-separated tags a tool must all have'),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: ToolsSearchRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { q, tags, limit } = request.query;
      const tagList = tags?.split(',').filter((tag) => tag.length > 0);
      return callService('tools', context, request, ToolsSearchRpc, {
        ...(q === undefined ? {} : { query: q }),
        ...(tagList === undefined ? {} : { tags: tagList.map((tag) => ToolTagSchema.parse(tag)) }),
        limit,
      });
    },
  );

  scope.get(
    '/tools/figures',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'Calls, errors, timeouts, latency percentiles and health per tool version',
        querystring: z.strictObject({
          name: ToolNameSchema.optional(),
          version: ToolVersionSchema.optional(),
        }),
        response: { 200: ToolsFiguresRpc.response, ...problemResponses },
      },
    },
    async (request) => callService('tools', context, request, ToolsFiguresRpc, request.query),
  );

  scope.get(
    '/tools/audit',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'Audited tool calls, newest first (arguments as the redaction rule kept them)',
        querystring: z.strictObject({
          ...AuditQueryShape,
          limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(100),
          cursor: z.string().min(1).max(256).optional(),
        }),
        response: { 200: pageOf(ToolAuditRecord), ...problemResponses },
      },
    },
    async (request) => callService('tools', context, request, ToolsAuditRpc, request.query),
  );

  scope.get(
    '/tools/audit/export',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'Every matching audited call as JSON lines (application/x-ndjson), newest first',
        querystring: z.strictObject({
          ...AuditQueryShape,
          max: z.coerce
            .number()
            .int()
            .min(1)
            .max(1_000_000)
            .default(100_000)
            .describe('Most records to export'),
        }),
      },
    },
    async (request, reply) => {
      const { max, ...filter } = request.query;
      // The first page is read before answering, so a refusal is still a problem response.
      const first = await callService('tools', context, request, ToolsAuditRpc, {
        ...filter,
        limit: Math.min(max, MAX_AUDIT_PAGE),
      });
      async function* lines() {
        let page = first;
        let sent = 0;
        for (;;) {
          for (const item of page.items) {
            if (sent === max) return;
            sent += 1;
            yield `${JSON.stringify(item)}\n`;
          }
          if (page.nextCursor === null || sent === max) return;
          page = await callService('tools', context, request, ToolsAuditRpc, {
            ...filter,
            limit: Math.min(max - sent, MAX_AUDIT_PAGE),
            cursor: page.nextCursor,
          });
        }
      }
      return reply.type('application/x-ndjson').send(Readable.from(lines()));
    },
  );

  scope.get(
    '/tools/upstreams',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'Imported upstream MCP servers and how their last sync went',
        response: { 200: ToolsUpstreamsRpc.response, ...problemResponses },
      },
    },
    async (request) => callService('tools', context, request, ToolsUpstreamsRpc, {}),
  );

  scope.post(
    '/tools/import',
    {
      config: { operatorScope: 'tools:write' },
      schema: {
        tags: ['tools'],
        summary: "Import an upstream MCP server's tools as `<name>.<tool>` and keep them in sync",
        description:
          'The URL is checked against SSRF (no private networks); an unreachable server is `E_UNAVAILABLE`.',
        body: z.strictObject({ name: UpstreamNameSchema, url: z.url() }),
        response: { 200: ToolsImportRpc.response, ...problemResponses },
      },
    },
    async (request) => callService('tools', context, request, ToolsImportRpc, request.body),
  );

  scope.get(
    '/tools/groups',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'Tool groups (MCP clients load one with `/mcp?group=<name>`)',
        response: { 200: z.strictObject({ items: z.array(ToolGroup) }), ...problemResponses },
      },
    },
    async (request) => callService('tools', context, request, ToolsGroupsRpc, {}),
  );

  scope.put(
    '/tools/groups/:group',
    {
      config: { operatorScope: 'tools:write' },
      schema: {
        tags: ['tools'],
        summary: 'Create or replace a tool group',
        params: z.strictObject({ group: UpstreamNameSchema }),
        body: z.strictObject({
          description: z.string().max(1024).default(''),
          tools: ToolGroupSchema.shape.tools,
        }),
        response: { 200: ToolGroup, ...problemResponses },
      },
    },
    async (request) =>
      callService('tools', context, request, ToolsGroupSetRpc, {
        name: request.params.group,
        ...request.body,
      }),
  );

  scope.delete(
    '/tools/groups/:group',
    {
      config: { operatorScope: 'tools:write' },
      schema: {
        tags: ['tools'],
        summary: 'Remove a tool group',
        params: z.strictObject({ group: UpstreamNameSchema }),
        response: { 200: ToolsGroupDeleteRpc.response, ...problemResponses },
      },
    },
    async (request) =>
      callService('tools', context, request, ToolsGroupDeleteRpc, { name: request.params.group }),
  );

  scope.get(
    '/tools/:name',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'The version of a tool a range resolves to (default: latest stable)',
        description: registry,
        params: nameParams,
        querystring: z.strictObject({ version: ToolVersionRangeSchema.optional() }),
        response: { 200: ToolRecord, ...problemResponses },
      },
    },
    async (request) =>
      callService('tools', context, request, ToolsGetRpc, {
        name: request.params.name,
        ...(request.query.version === undefined ? {} : { range: request.query.version }),
      }),
  );

  scope.get(
    '/tools/:name/versions',
    {
      config: { operatorScope: 'tools:read' },
      schema: {
        tags: ['tools'],
        summary: 'Every version of a tool, newest first, retired ones included',
        description: registry,
        params: nameParams,
        response: { 200: z.strictObject({ items: z.array(ToolRecord) }), ...problemResponses },
      },
    },
    async (request) =>
      callService('tools', context, request, ToolsVersionsRpc, { name: request.params.name }),
  );

  scope.post(
    '/tools/:name/call',
    {
      config: { operatorScope: 'tools:write' },
      schema: {
        tags: ['tools'],
        summary: 'Call a tool',
        description: `Bad arguments are \`E_VALIDATION\` with the failing path; a provider that does not answer in time \`E_TIMEOUT\`. ${registry}`,
        params: nameParams,
        body: z.strictObject({
          arguments: ToolArgumentsSchema.default({}),
          version: ToolVersionRangeSchema.optional(),
          timeoutMs: ToolsCallRpc.request.shape.timeoutMs,
        }),
        response: { 200: ToolsCallRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { arguments: args, version, timeoutMs } = request.body;
      return callService(
        'tools',
        context,
        request,
        ToolsCallRpc,
        {
          name: request.params.name,
          arguments: args,
          ...(version === undefined ? {} : { range: version }),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        },
        timeoutMs === undefined ? undefined : timeoutMs + TOOL_CALL_GRACE_MS,
      );
    },
  );

  scope.post(
    '/tools/:name/versions/:version/deprecate',
    {
      config: { operatorScope: 'tools:write' },
      schema: {
        tags: ['tools'],
        summary: 'Deprecate a version: still callable, no longer picked by default',
        params: versionParams,
        body: z.strictObject({ reason: z.string().min(1).max(1024).optional() }).default({}),
        response: { 200: ToolRecord, ...problemResponses },
      },
    },
    async (request) =>
      callService('tools', context, request, ToolsDeprecateRpc, {
        ...request.params,
        ...request.body,
      }),
  );

  scope.post(
    '/tools/:name/versions/:version/retire',
    {
      config: { operatorScope: 'tools:write' },
      schema: {
        tags: ['tools'],
        summary: 'Retire a version: kept in history, no longer callable',
        params: versionParams,
        response: { 200: ToolRecord, ...problemResponses },
      },
    },
    async (request) => callService('tools', context, request, ToolsRetireRpc, request.params),
  );
}
