import { z } from 'zod';
import { A2aGrantSchema } from './kinds/a2a.ts';
import { BroadcastGrantSchema } from './kinds/broadcast.ts';
import { OperatorGrantSchema } from './kinds/operator.ts';
import { PublishGrantSchema } from './kinds/publish.ts';
import { StateGrantSchema } from './kinds/state.ts';
import { SubscribeGrantSchema } from './kinds/subscribe.ts';
import { TaskGrantSchema } from './kinds/task.ts';
import { ToolGrantSchema } from './kinds/tool.ts';

/**
 * One permission, by `kind`. Anything no grant allows is denied. A new kind is a file in
 * `kinds/` plus one line here, one in `request.ts`, one case in `authorize.ts` and its admin grant
 * in `roles.ts` (the compiler points at each).
 */
export const GrantSchema = z.discriminatedUnion('kind', [
  PublishGrantSchema,
  SubscribeGrantSchema,
  BroadcastGrantSchema,
  OperatorGrantSchema,
  ToolGrantSchema,
  StateGrantSchema,
  TaskGrantSchema,
  A2aGrantSchema,
]);

/** A grant of any kind. */
export type Grant = z.infer<typeof GrantSchema>;

/** The kind of a grant: `publish`, `subscribe`, `broadcast`, `operator`, `tool`, ... */
export type GrantKind = Grant['kind'];

/** The grant of one kind: `GrantOf<'tool'>` is a tool grant. */
export type GrantOf<K extends GrantKind> = Extract<Grant, { kind: K }>;

/** Every grant kind, in declaration order (for documentation, the CLI and the console). */
export const grantKinds: readonly GrantKind[] = GrantSchema.options.map(
  (option) => option.shape.kind.value,
);
