// The sign-in / sign-up form: posts email and password the way Label Studio's pages do (a form
// body to /user/login or /user/signup); the host answers with the login cookie and a redirect.
import { useSignal } from '@preact/signals';
import { html } from '../lib/html.js';
import { csrfToken, ApiError } from '../lib/api.js';
import { navigate, location } from '../lib/router.js';
import { clearUser } from '../lib/session.js';

// Where to go after signing in: ?next= when it is a local path, else the project list.
function nextUrl() {
  const next = location.value.query.get('next') || '';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/projects';
}

async function submit(action, fields) {
  const headers = { Accept: 'application/json' };
  const token = csrfToken();
  if (token) headers['X-CSRFToken'] = token;
  const response = await fetch(action, {
    method: 'POST', headers, body: new URLSearchParams(fields), credentials: 'same-origin', redirect: 'manual',
  });
  // A redirect (opaque with redirect: 'manual') or a 2xx means signed in.
  if (response.type === 'opaqueredirect' || response.ok) return;
  const text = await response.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* plain text */ }
  throw new ApiError(response.status, body, `HTTP ${response.status}`);
}

export function AuthForm({ mode }) {
  const email = useSignal('');
  const password = useSignal('');
  const busy = useSignal(false);
  const error = useSignal('');
  const signup = mode === 'signup';

  const onSubmit = async (event) => {
    event.preventDefault();
    busy.value = true;
    error.value = '';
    try {
      await submit(signup ? '/user/signup' : '/user/login', { email: email.value, password: password.value });
      clearUser();
      navigate(nextUrl(), { replace: true });
    } catch (e) {
      error.value = e.message;
    } finally {
      busy.value = false;
    }
  };

  const other = signup
    ? html`Already have an account? <a href=${'/user/login' + window.location.search}>Sign in</a>`
    : html`No account yet? <a href=${'/user/signup' + window.location.search}>Sign up</a>`;
  return html`
    <div class="auth">
      <form class="card auth-card" onSubmit=${onSubmit}>
        <h1 class="brand">Annot</h1>
        <h2>${signup ? 'Create your account' : 'Sign in'}</h2>
        <label>Email
          <input name="email" type="email" autocomplete="username" required value=${email.value}
                 onInput=${(e) => { email.value = e.currentTarget.value; }} />
        </label>
        <label>Password
          <input name="password" type="password" autocomplete=${signup ? 'new-password' : 'current-password'} required
                 minlength=${signup ? 8 : undefined} value=${password.value}
                 onInput=${(e) => { password.value = e.currentTarget.value; }} />
        </label>
        ${error.value ? html`<div class="error-box" role="alert">${error.value}</div>` : null}
        <button class="primary" type="submit" disabled=${busy.value}>${signup ? 'Sign up' : 'Sign in'}</button>
        <p class="muted">${other}</p>
      </form>
    </div>`;
}
