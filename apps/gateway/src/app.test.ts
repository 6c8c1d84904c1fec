import { describeServiceLifecycle } from '@switchboard/service/testing';
import { build } from './app.ts';
import { gatewayConfig } from './config.ts';

describeServiceLifecycle({ folder: 'gateway', definition: gatewayConfig, build });
