import { token, current, ended } from './session.js';

// An error answered by the service as problem details, with the message meant for a person.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `Fel ${status}`);
    this.status = status;
    this.problem = problem;
  }

  get fieldErrors() { return this.problem?.errors ?? {}; }
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${token()}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  const payload = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401) ended(current() ? 'ended' : 'expired');
    throw new ApiError(response.status, typeof payload === 'object' ? payload : null);
  }
  return payload;
}
