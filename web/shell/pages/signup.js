// /user/signup: create an account (when the host allows sign-up) and sign in.
import { html } from '../lib/html.js';
import { AuthForm } from '../components/auth-form.js';

export function Signup() {
  document.title = 'Sign up · Annot';
  return html`<${AuthForm} mode="signup" />`;
}
