import { z } from 'zod';

const name = z.string().min(1).max(128);

/** An agent id: chosen by the agent (or bound to its credential), stable across connections. */
export const AgentIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : - (not first)');

/** One thing an agent can do, as it registers it; `metadata` is free-form for matching UIs. */
export const CapabilitySchema = z.strictObject({
  name: name.regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits and . _ -'),
  version: z.string().min(1).max(64).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Capability = z.infer<typeof CapabilitySchema>;

/** Labels select agents (broadcast filters, queries): short keys and values. */
export const LabelsSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'label keys: letters, digits, . _ / -'),
    z.string().max(256),
  )
  .refine((labels) => Object.keys(labels).length <= 64, 'at most 64 labels');
export type Labels = z.infer<typeof LabelsSchema>;

/** What an agent says about itself when it registers. */
export const AgentRegistrationSchema = z.strictObject({
  /** Optional when the credential is bound to exactly one agent id. */
  id: AgentIdSchema.optional(),
  name,
  version: z.string().min(1).max(64),
  description: z.string().max(2048).optional(),
  capabilities: z.array(CapabilitySchema).max(256).default([]),
  labels: LabelsSchema.default({}),
});
export type AgentRegistration = z.infer<typeof AgentRegistrationSchema>;

/** What the gateway answers to `register`: the agent id it acts as, on which connection. */
export const RegisterResultSchema = z.strictObject({
  agentId: AgentIdSchema,
  connectionId: z.string().min(1),
});
export type RegisterResult = z.infer<typeof RegisterResultSchema>;
