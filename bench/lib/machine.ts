import { arch, cpus, platform, release, totalmem } from 'node:os';

/** The machine a run happened on, so results from different machines are not compared blindly. */
export function machineInfo() {
  const cores = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    cpuModel: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    totalMemoryBytes: totalmem(),
  };
}
