import type { Metadata } from "@grpc/grpc-js";
import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";
import type { HeaderReader } from "./types.js";

/** Reads W3C trace context from a call's headers, whatever its transport. */
export const headerGetter: TextMapGetter<HeaderReader> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key),
};

/** gRPC metadata as a HeaderReader: text values only (`-bin` ones are not headers a step reads). */
export function metadataReader(metadata: Metadata): HeaderReader {
  return {
    get(name) {
      const [value] = metadata.get(name);
      return typeof value === "string" ? value : undefined;
    },
    keys: () => Object.keys(metadata.getMap()),
  };
}

/** Fetch-API headers (connect-node's) as a HeaderReader. */
export function headersReader(headers: Headers): HeaderReader {
  return { get: (name) => headers.get(name) ?? undefined, keys: () => headers.keys() };
}

/** Writes W3C trace context into gRPC metadata. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
