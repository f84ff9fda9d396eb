// ABI fixture UI: must never be served, because exporters may not register a UI bundle.
export function mount(el) { el.textContent = 'abi_broken_exporter_ui'; }
