// htm bound to Preact's h: every component writes its markup as html`...`, no build step.
export { html } from 'htm/preact';
