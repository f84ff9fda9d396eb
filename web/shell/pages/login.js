// /user/login: sign in with email and password.
import { html } from '../lib/html.js';
import { AuthForm } from '../components/auth-form.js';

export function Login() {
  document.title = 'Sign in · Annot';
  return html`<${AuthForm} mode="login" />`;
}
