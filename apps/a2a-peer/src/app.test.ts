import { describeServiceLifecycle } from '@switchboard/service/testing';
import { build } from './app.ts';
import { a2aConfig } from './config.ts';

describeServiceLifecycle({ folder: 'a2a-peer', definition: a2aConfig, build });
