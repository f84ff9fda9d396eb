// The signed-in user, loaded once per page load from GET /api/current-user/whoami.
import { signal } from '@preact/signals';
import { get } from './api.js';

export const user = signal(null);

export async function loadUser() {
  if (user.value) return user.value;
  user.value = await get('/api/current-user/whoami');
  return user.value;
}

export function clearUser() {
  user.value = null;
}
