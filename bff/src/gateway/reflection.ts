import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { createReflection } from "@marquee/mesh";
import { ServerReflection as ServerReflectionV1 } from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "@marquee/proto/grpc/reflection/v1alpha/reflection_pb.js";

/**
 * Serves gRPC server reflection, v1 and the v1alpha older clients still call, over exactly the given
 * services: the public ones the BFF forwards, so `grpcurl list` shows a partner what it may call and
 * never an internal service. Reflection is a bidi stream, so it answers over HTTP/2 only (gRPC, as
 * grpcurl speaks it).
 */
export function serveReflection(router: ConnectRouter, services: readonly DescService[]): void {
  const reflection = createReflection(services);
  router.service(ServerReflectionV1, {
    serverReflectionInfo: (requests) => mapStream(requests, (request) => reflection.respond(request)),
  });
  router.service(ServerReflectionV1alpha, {
    serverReflectionInfo: (requests) => mapStream(requests, (request) => reflection.respondV1alpha(request)),
  });
}

async function* mapStream<I, O>(source: AsyncIterable<I>, fn: (item: I) => O): AsyncIterable<O> {
  for await (const item of source) yield fn(item);
}
