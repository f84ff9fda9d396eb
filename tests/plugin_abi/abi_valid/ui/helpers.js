// ABI fixture UI helper, reached through the bundle's import map.
export function label(name) {
  return `abi_valid: ${name || 'unnamed'}`;
}
