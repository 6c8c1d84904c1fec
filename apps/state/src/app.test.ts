import { describeServiceLifecycle } from '@switchboard/service/testing';
import { build } from './app.ts';
import { stateConfig } from './config.ts';

describeServiceLifecycle({ folder: 'state', definition: stateConfig, build });
