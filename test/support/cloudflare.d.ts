// What `cloudflare:workers` exports means for this Worker inside the test runner.
declare namespace Cloudflare {
  interface Exports {
    default: Fetcher;
  }
}
