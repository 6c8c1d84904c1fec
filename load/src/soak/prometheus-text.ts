// Reads gauges from a Prometheus text exposition (each service's /metrics, prom-client).

/**
 * The value of the first sample of metric `name` (with or without labels) in `text`; undefined
 * when the metric is absent or its value is not a number.
 */
export function readGauge(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    const value = Number(match[3]);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}
