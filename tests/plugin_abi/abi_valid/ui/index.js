// ABI fixture UI: renders the object's name so a test can tell the module ran.
import { label } from 'abi-valid/helpers';

export function mount(el, ctx) {
  el.textContent = label(ctx && ctx.name);
  return () => { el.textContent = ''; };
}
