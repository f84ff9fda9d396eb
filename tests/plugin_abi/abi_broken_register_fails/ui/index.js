// ABI fixture UI: must never be served, because the plugin's registration fails.
export function mount(el) { el.textContent = 'abi_broken_register_fails'; }
