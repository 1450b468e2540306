// What `cloudflare:workers` exports means for this Worker inside the test runner.
declare namespace Cloudflare {
  interface Exports {
    default: Fetcher;
  }
}

// Vite's `?raw` imports (fixture files as strings in workerd tests).
declare module "*?raw" {
  const text: string;
  export default text;
}
