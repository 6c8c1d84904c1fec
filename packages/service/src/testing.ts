export { type InProcessService, startInProcess } from './in-process.ts';
export { describeServiceLifecycle } from './service-lifecycle.ts';
