import { z } from 'zod';

const ProblemSchema = z.object({ code: z.string().optional(), detail: z.string().optional() });

/**
 * Calls the gateway's operator API at `baseUrl` with `token`; throws with the problem's code and
 * detail when it answers an error.
 */
export async function operatorRequest(
  baseUrl: string,
  token: string,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
): Promise<void> {
  const response = await fetch(`${baseUrl}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) {
    const problem = ProblemSchema.safeParse(await response.json().catch(() => ({})));
    const { code, detail } = problem.success ? problem.data : {};
    throw new Error(`${method} ${path} answered ${response.status} ${code ?? ''}: ${detail ?? ''}`);
  }
}

/**
 * Sets live settings through the operator API (`PUT /v1/config/:service/:key`), each key a full
 * setting path whose first part names its service (`gateway.rateLimits.perCredential.capacity`).
 * Every replica of the service applies an accepted setting as it sees it (milliseconds later).
 */
export async function setLiveSettings(
  baseUrl: string,
  token: string,
  settings: Record<string, number>,
): Promise<void> {
  for (const [key, value] of Object.entries(settings)) {
    const service = key.split('.')[0];
    await operatorRequest(baseUrl, token, 'PUT', `/config/${service}/${key}`, { value });
  }
}
