import { describeServiceLifecycle } from '@switchboard/service/testing';
import { build } from './app.ts';
import { routerConfig } from './config.ts';

describeServiceLifecycle({ folder: 'message-router', definition: routerConfig, build });
