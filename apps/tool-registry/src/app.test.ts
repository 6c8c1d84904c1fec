import { describeServiceLifecycle } from '@switchboard/service/testing';
import { build } from './app.ts';
import { toolsConfig } from './config.ts';

describeServiceLifecycle({ folder: 'tool-registry', definition: toolsConfig, build });
