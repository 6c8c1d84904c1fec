import type { Scenario } from '../lib/scenario.ts';
import { a2a } from './a2a.ts';
import { busRpc } from './bus-rpc.ts';
import { gatewayConnections } from './gateway-connections.ts';
import { messaging } from './messaging.ts';
import { modes } from './modes.ts';
import { payloadCodec } from './payload-codec.ts';
import { state } from './state.ts';
import { tasks } from './tasks.ts';
import { tools } from './tools.ts';

/** Every scenario, in the order `pnpm bench` runs them. Add new ones here. */
export const scenarios: Scenario[] = [
  busRpc,
  gatewayConnections,
  messaging,
  state,
  tasks,
  tools,
  a2a,
  modes,
  payloadCodec,
];
