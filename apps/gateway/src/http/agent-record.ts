import {
  type AgentRecord,
  CapabilitySchema,
  DisconnectReasons,
  LabelsSchema,
} from '@switchboard/protocol';
import { z } from 'zod';
import type { AgentRow } from '../db/agent-store.ts';

const CapabilitiesSchema = z.array(CapabilitySchema);
const ReasonSchema = z.enum(DisconnectReasons).nullable();

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/**
 * A catalog row as operators and other services see it. The jsonb columns were written from
 * validated registrations; they are parsed again so that a bad row fails here, loudly.
 */
export function toAgentRecord(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    description: row.description,
    capabilities: CapabilitiesSchema.parse(row.capabilities),
    labels: LabelsSchema.parse(row.labels),
    status: row.connected ? 'connected' : 'disconnected',
    gatewayId: row.gatewayId,
    connectionId: row.connectionId,
    registeredBy: row.registeredBy,
    registeredAt: row.registeredAt.toISOString(),
    connectedAt: iso(row.connectedAt),
    disconnectedAt: iso(row.disconnectedAt),
    disconnectReason: ReasonSchema.parse(row.disconnectReason),
  };
}
