import './.config/jest-setup';

// jsdom has no IntersectionObserver; @grafana/ui's select menus create one for their scroll shadows.
// Nothing is ever reported as intersecting, which only hides those shadows.
class NoIntersectionObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
Object.defineProperty(global, 'IntersectionObserver', { writable: true, value: NoIntersectionObserver });
