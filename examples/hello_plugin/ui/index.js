// The browser side of the hello plugin: renders <Hello> as a greeting for the task's value.
// The web shell imports this module and calls mount(el, ctx) for each <Hello> tag it shows;
// the function it returns is called when the tag goes away.
export function mount(el, ctx = {}) {
  const who = typeof ctx.value === 'string' && ctx.value.trim() !== '' ? ctx.value.trim() : 'world';
  const greeting = document.createElement('p');
  greeting.className = 'annot-hello';
  greeting.textContent = `Hello, ${who}!`;
  el.replaceChildren(greeting);
  return () => greeting.remove();
}
