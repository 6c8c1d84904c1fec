import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.ts';

const problemResponse = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
});

/** The error responses every operator route documents (problem+json, with the stable code). */
export const problemResponses = {
  '4xx': problemResponse(
    'The request was refused: E_VALIDATION (400), E_UNAUTHORIZED (401), E_FORBIDDEN (403), E_NOT_FOUND (404), E_CONFLICT (409), E_RATE_LIMITED (429)',
  ),
  '5xx': problemResponse(
    'The gateway or a service behind it failed: E_INTERNAL (500), E_UNAVAILABLE (503), E_TIMEOUT (504)',
  ),
};
