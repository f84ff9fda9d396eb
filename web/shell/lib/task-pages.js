// Pages of tasks fetched on demand for the virtual table: only the pages around what is on screen
// are requested, pages that scrolled far away are aborted or evicted, so memory and traffic stay
// flat at any project size.
import { signal } from '@preact/signals';

export class TaskPages {
  // fetchPage(pageNumber (1-based), pageSize, abortSignal) -> Promise<{tasks, total}>
  constructor(fetchPage, { pageSize = 100, keepPages = 40 } = {}) {
    this.fetchPage = fetchPage;
    this.pageSize = pageSize;
    this.keepPages = keepPages;
    this.total = signal(null);     // null until the first page answered
    this.version = signal(0);      // bumps whenever rows arrive: the table re-renders
    this.error = signal(null);
    this.reset();
  }

  reset() {
    for (const p of this.inflight?.values() ?? []) p.abort();
    this.pendingRange = null;
    this.pages = new Map();        // page index (0-based) -> tasks
    this.inflight = new Map();     // page index -> AbortController
    this.generation = (this.generation ?? 0) + 1;
    this.version.value++;
  }

  // Forget everything and load again: from the top (a new filter or order), or the rows last asked
  // for (after a delete). The first page comes first: it brings the new total, so the rows asked
  // for next are clamped to what still exists (a page past the end is a 404).
  reload({ fromTop = false } = {}) {
    const range = (!fromTop && this.lastRange) || [0, this.pageSize - 1];
    this.reset();
    this.pendingRange = range;
    this.load(0);
  }

  row(index) {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page ? page[index % this.pageSize] : undefined;
  }

  // Makes sure rows first..last (and one page either side) are loaded or on their way.
  ensure(first, last) {
    this.lastRange = [first, last];
    // Until the first page of a reload brings the new total, only remember what to load.
    if (this.pendingRange) { this.pendingRange = [first, last]; return; }
    const from = Math.max(0, Math.floor(first / this.pageSize) - 1);
    const to = Math.floor(Math.max(first, last) / this.pageSize) + 1;
    const total = this.total.value;
    const lastPage = total === null ? 0 : Math.max(0, Math.ceil(total / this.pageSize) - 1);
    // Requests for pages the user scrolled away from only delay the ones now on screen.
    for (const [index, abort] of this.inflight) {
      if (index < from || index > to) { abort.abort(); this.inflight.delete(index); }
    }
    for (let index = from; index <= Math.min(to, lastPage); ++index) {
      if (!this.pages.has(index) && !this.inflight.has(index)) this.load(index);
    }
    this.evict(from, to);
  }

  load(index) {
    const abort = new AbortController();
    const generation = this.generation;
    this.inflight.set(index, abort);
    this.fetchPage(index + 1, this.pageSize, abort.signal).then((answer) => {
      if (generation !== this.generation) return;
      this.inflight.delete(index);
      this.pages.set(index, answer.tasks ?? []);
      this.error.value = null;
      if (this.total.value !== answer.total) this.total.value = answer.total;
      this.version.value++;
      if (this.pendingRange) {
        const [first, last] = this.pendingRange;
        this.pendingRange = null;
        this.ensure(first, last);
      }
    }).catch((e) => {
      if (generation !== this.generation || e.name === 'AbortError') return;
      this.inflight.delete(index);
      // A page past the end (the project shrank meanwhile) is simply empty.
      if (e.status === 404) { this.pages.set(index, []); this.version.value++; return; }
      this.error.value = e;
    });
  }

  evict(from, to) {
    if (this.pages.size <= this.keepPages) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - (from + to) / 2) - Math.abs(a - (from + to) / 2));
    for (const index of far.slice(0, this.pages.size - this.keepPages)) this.pages.delete(index);
  }
}
