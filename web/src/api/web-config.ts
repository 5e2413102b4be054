/** What the app learns from the BFF at run time, so one build serves every deployment. */
export interface WebConfig {
  /** The payment gateway's base URL, where the browser tokenizes a card (never through Marquee). */
  readonly paymentGatewayUrl: string;
  /** The social providers identity offers, e.g. ["google"]. */
  readonly socialProviders: readonly string[];
}

let loaded: Promise<WebConfig> | undefined;

/** `/web-config.json`, fetched once. */
export function webConfig(): Promise<WebConfig> {
  loaded ??= fetch("/web-config.json").then(async (response) => {
    if (!response.ok) throw new Error(`/web-config.json answered ${response.status}`);
    return (await response.json()) as WebConfig;
  });
  return loaded;
}
