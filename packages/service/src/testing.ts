export { describeServiceLifecycle } from './service-lifecycle.ts';
