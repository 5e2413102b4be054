/**
 * The request header in which the BFF tells a service the IP address of the client behind a call it
 * forwards: one address, as the BFF saw it (the TCP peer, or behind a trusted proxy that proxy's
 * `x-forwarded-for` entry, as its per-IP rate limits count it). The BFF sends it only with its own
 * service token (`svc:bff`), and a service believes it only from that caller: anyone else — an end user
 * at a service's port — could write any address into it and pick the bucket of its per-IP limits.
 */
export const clientIpHeader = "marquee-client-ip";
