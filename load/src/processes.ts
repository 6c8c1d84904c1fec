import { readFileSync } from 'node:fs';

// Readings of processes from /proc (Linux): the services' and generators' memory and CPU.

/** Resident memory of a process in MiB; 0 once it has ended. */
export function residentMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Math.round(Number(kib ?? 0) / 1024);
  } catch {
    // The process ended: a crash the report shows as memory 0.
    return 0;
  }
}

/** CPU seconds (user + system) a process has used; 0 once it has ended. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
