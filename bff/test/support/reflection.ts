import { create, type DescService } from "@bufbuild/protobuf";
import { credentials, makeGenericClientConstructor } from "@grpc/grpc-js";
import { grpcDefinitionOf } from "@marquee/mesh";
import type * as v1 from "@marquee/proto/grpc/reflection/v1/reflection_pb.js";
import type * as v1alpha from "@marquee/proto/grpc/reflection/v1alpha/reflection_pb.js";

export type Request = { messageRequest: { case: string; value: string } };

/** Sends reflection requests over one raw grpc-js bidi stream, as grpcurl does, and returns the answers. */
export async function reflect(
  address: string,
  service: DescService,
  requestSchema: typeof v1.ServerReflectionRequestSchema | typeof v1alpha.ServerReflectionRequestSchema,
  requests: Request[],
): Promise<v1.ServerReflectionResponse[]> {
  const Constructor = makeGenericClientConstructor(grpcDefinitionOf(service), "ServerReflection");
  const raw = new Constructor(address, credentials.createInsecure()) as unknown as {
    serverReflectionInfo(): NodeJS.ReadWriteStream & AsyncIterable<v1.ServerReflectionResponse>;
    close(): void;
  };
  const stream = raw.serverReflectionInfo();
  for (const request of requests) stream.write(create(requestSchema, request as never) as never);
  stream.end();
  const answers: v1.ServerReflectionResponse[] = [];
  for await (const answer of stream) answers.push(answer);
  raw.close();
  return answers;
}

export const listServices: Request = { messageRequest: { case: "listServices", value: "" } };
export const symbol = (name: string): Request => ({ messageRequest: { case: "fileContainingSymbol", value: name } });

export function listed(answer: v1.ServerReflectionResponse | undefined): string[] {
  return answer?.messageResponse.case === "listServicesResponse"
    ? answer.messageResponse.value.service.map((s) => s.name)
    : [];
}
