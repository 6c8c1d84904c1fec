import { describeServiceLifecycle } from '@switchboard/service/testing';
import { build } from './app.ts';
import { tasksConfig } from './config.ts';

describeServiceLifecycle({ folder: 'task-worker', definition: tasksConfig, build });
