import { z } from 'zod';
import { ToolNameSchema, ToolVersionSchema, UpstreamNameSchema } from '../tools.ts';

/**
 * What happened to a tool version in the catalog (`updated`: an upstream MCP server changed the
 * definition of a tool it serves; `provider_removed`: it no longer serves it).
 */
export const ToolChanges = [
  'registered',
  'provider_added',
  'updated',
  'provider_removed',
  'deprecated',
  'retired',
] as const;

/** One of {@link ToolChanges}. */
export type ToolChange = (typeof ToolChanges)[number];

/**
 * `<ns>.v1.evt.tools.changed`: a tool version entered the catalog, gained a provider, or was
 * deprecated or retired (names and versions only, never schemas). Registry replicas drop what
 * they cached and tell the MCP streams they hold.
 */
export const ToolsChangedEventSchema = z.strictObject({
  name: ToolNameSchema,
  version: ToolVersionSchema,
  change: z.enum(ToolChanges),
});

/** A catalog change (see {@link ToolsChangedEventSchema}). */
export type ToolsChangedEvent = z.infer<typeof ToolsChangedEventSchema>;

/**
 * `<ns>.v1.evt.tools.upstream`: an upstream MCP server was imported (or its URL replaced):
 * every registry replica connects to it and follows its tool list.
 */
export const UpstreamChangedEventSchema = z.strictObject({
  name: UpstreamNameSchema,
  change: z.enum(['imported']),
});

/** An upstream server change (see {@link UpstreamChangedEventSchema}). */
export type UpstreamChangedEvent = z.infer<typeof UpstreamChangedEventSchema>;
