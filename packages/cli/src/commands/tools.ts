import {
  providerLabel,
  type ToolAuditRecord,
  type ToolCallResult,
  type ToolRecord,
  type UpstreamServer,
} from '@switchboard/protocol';
import type { Command } from 'commander';
import { CliError, queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { formatRecord, formatTable } from '../table.ts';
import { parseJson, parsePositiveInt, printMore } from './options.ts';

const providersOf = (tool: ToolRecord) => tool.providers.map(providerLabel).join(', ') || '-';

/** The arguments of `tools call`: a JSON object. */
export function argumentsOf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  const value = parseJson(text, 'arguments');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(
      'E_VALIDATION',
      'give the arguments as a JSON object, e.g. \'{"q":"cats"}\'',
    );
  }
  return value as Record<string, unknown>;
}

/** `switchboard tools ls | show | versions | call | import | audit`. */
export function registerToolCommands(program: Command, io: CliIo): void {
  const tools = program
    .command('tools')
    .description('The tool registry: versioned tools of agents and upstream MCP servers');

  tools
    .command('ls')
    .description('List tools, one line per tool at its default version')
    .option('--tag <tag>', 'only tools with this tag')
    .option('--limit <n>', 'tools per page (default 100)', parsePositiveInt)
    .option('--cursor <cursor>', 'the next page, as the previous one printed')
    .action(async (options: { tag?: string; limit?: number; cursor?: string }, command) => {
      const context = contextOf(command, io);
      const page = await context
        .client()
        .request<{ items: ToolRecord[]; nextCursor: string | null }>(
          'GET',
          `/v1/tools${queryString({ ...options })}`,
        );
      if (context.json) {
        context.printJson(page);
        return;
      }
      context.print(
        formatTable(page.items, [
          { heading: 'name', value: (tool) => tool.name },
          { heading: 'version', value: (tool) => tool.version },
          { heading: 'status', value: (tool) => tool.status },
          { heading: 'tags', value: (tool) => tool.tags.join(',') || '-' },
          { heading: 'providers', value: providersOf },
          { heading: 'description', value: (tool) => tool.description },
        ]),
      );
      printMore(io, page.nextCursor);
    });

  tools
    .command('show <name>')
    .description('The version of a tool a range resolves to, with its schemas')
    .option('--range <range>', 'a semver range of versions (default: latest stable)')
    .action(async (name: string, options: { range?: string }, command: Command) => {
      const context = contextOf(command, io);
      const tool = await context
        .client()
        .request<ToolRecord>(
          'GET',
          `/v1/tools/${encodeURIComponent(name)}${queryString({ version: options.range })}`,
        );
      if (context.json) {
        context.printJson(tool);
        return;
      }
      context.print(
        formatRecord([
          ['name', tool.name],
          ['version', tool.version],
          ['status', tool.status],
          ['description', tool.description],
          ['tags', tool.tags.join(', ') || '-'],
          ['providers', providersOf(tool)],
          ['input schema', JSON.stringify(tool.inputSchema)],
          [
            'output schema',
            tool.outputSchema === undefined ? '-' : JSON.stringify(tool.outputSchema),
          ],
        ]),
      );
    });

  tools
    .command('versions <name>')
    .description('Every version of a tool, newest first')
    .action(async (name: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const { items } = await context
        .client()
        .request<{ items: ToolRecord[] }>('GET', `/v1/tools/${encodeURIComponent(name)}/versions`);
      if (context.json) {
        context.printJson(items);
        return;
      }
      context.print(
        formatTable(items, [
          { heading: 'version', value: (tool) => tool.version },
          { heading: 'status', value: (tool) => tool.status },
          { heading: 'created', value: (tool) => tool.createdAt },
          { heading: 'providers', value: providersOf },
        ]),
      );
    });

  tools
    .command('call <name>')
    .description('Call a tool and print its result')
    .option('--args <json>', 'the arguments, a JSON object (default {})')
    .option('--range <range>', 'a semver range of versions (default: latest stable)')
    .option('--timeout <ms>', 'how long the provider may take', parsePositiveInt)
    .action(
      async (
        name: string,
        options: { args?: string; range?: string; timeout?: number },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const called = await context
          .client()
          .request<ToolCallResult>('POST', `/v1/tools/${encodeURIComponent(name)}/call`, {
            arguments: argumentsOf(options.args),
            ...(options.range === undefined ? {} : { version: options.range }),
            ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
          });
        if (context.json) context.printJson(called);
        else context.print(JSON.stringify(called.result, null, 2));
      },
    );

  tools
    .command('import <mcp-url>')
    .description("Import an upstream MCP server's tools as <name>.<tool> and keep them in sync")
    .requiredOption('--name <name>', 'the prefix of its tools (one token, e.g. github)')
    .action(async (url: string, options: { name: string }, command: Command) => {
      const context = contextOf(command, io);
      const imported = await context
        .client()
        .request<{ server: UpstreamServer; tools: Array<{ name: string; version: string }> }>(
          'POST',
          '/v1/tools/import',
          { name: options.name, url },
        );
      if (context.json) {
        context.printJson(imported);
        return;
      }
      context.print(
        `imported ${imported.tools.length} tool${imported.tools.length === 1 ? '' : 's'} from ${imported.server.url} (MCP ${imported.server.protocolVersion ?? 'unknown'}, ${imported.server.listChanged ? 'follows its list changes' : 'polled'})`,
      );
      for (const tool of imported.tools) context.print(`  ${tool.name}@${tool.version}`);
    });

  tools
    .command('audit')
    .description('Audited tool calls, newest first; --jsonl exports every match as JSON lines')
    .option('--name <tool>', 'only calls of this tool')
    .option('--caller <principal>', 'only calls by this principal (agent:<id>, key:<id>)')
    .option('--outcome <outcome>', 'ok, error, timeout or refused')
    .option('--since <time>', 'only calls at or after this ISO time')
    .option('--limit <n>', 'calls per page (default 100)', parsePositiveInt)
    .option('--cursor <cursor>', 'the next page, as the previous one printed')
    .option('--jsonl', 'every matching call as JSON lines (ignores --limit and --cursor)')
    .action(
      async (
        options: {
          name?: string;
          caller?: string;
          outcome?: string;
          since?: string;
          limit?: number;
          cursor?: string;
          jsonl?: boolean;
        },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const { jsonl, limit, cursor, ...filter } = options;
        if (jsonl === true) {
          const body = await context
            .client()
            .stream(`/v1/tools/audit/export${queryString(filter)}`, io.signal);
          const decoder = new TextDecoder();
          for await (const chunk of body) io.stdout(decoder.decode(chunk, { stream: true }));
          return;
        }
        const page = await context
          .client()
          .request<{ items: ToolAuditRecord[]; nextCursor: string | null }>(
            'GET',
            `/v1/tools/audit${queryString({ ...filter, limit, cursor })}`,
          );
        if (context.json) {
          context.printJson(page);
          return;
        }
        context.print(
          formatTable(page.items, [
            { heading: 'at', value: (call) => call.at },
            { heading: 'caller', value: (call) => call.caller },
            { heading: 'tool', value: (call) => `${call.name}@${call.version ?? '?'}` },
            { heading: 'outcome', value: (call) => call.outcome },
            { heading: 'error', value: (call) => call.errorCode ?? '-' },
            { heading: 'ms', value: (call) => call.durationMs.toFixed(1) },
            { heading: 'provider', value: (call) => call.provider ?? '-' },
          ]),
        );
        printMore(io, page.nextCursor);
      },
    );
}
