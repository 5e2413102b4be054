/**
 * The Redis Stream a service's events are published to: `marquee.events.<source>`, e.g.
 * `marquee.events.catalog`. Consumers read the streams of the services whose events they need.
 */
export function eventStream(source: string): string {
  return `marquee.events.${source}`;
}

/**
 * Where a consumer moves an entry it gave up on (undecodable, or failed `maxDeliveries` times):
 * `<stream>.dead`, with the original envelope and why.
 */
export function deadLetterStream(stream: string): string {
  return `${stream}.dead`;
}
