import { randomUUID } from "node:crypto";
import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { anyPack, timestampNow } from "@bufbuild/protobuf/wkt";
import { EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";
import { Redis } from "ioredis";
import { eventStream } from "../events/streams.js";
import { testRedis } from "./redis.js";

/**
 * Puts an event on `source`'s stream of the test Redis as a producer's relay would: an Envelope (a fresh id
 * unless given) in the entry's `envelope` field — what a consumer's test feeds it without running the
 * producing service. Returns the envelope's id.
 */
export async function publishTestEvent<Desc extends DescMessage>(
  source: string,
  schema: Desc,
  payload: MessageInitShape<Desc>,
  id: string = randomUUID(),
): Promise<string> {
  const envelope = create(EnvelopeSchema, {
    id,
    type: schema.typeName,
    time: timestampNow(),
    source,
    subject: id,
    payload: anyPack(schema, create(schema, payload)),
  });
  const redis = new Redis(await testRedis(), { maxRetriesPerRequest: 3 });
  try {
    await redis.xadd(eventStream(source), "*", "envelope", Buffer.from(toBinary(EnvelopeSchema, envelope)));
  } finally {
    redis.disconnect();
  }
  return id;
}
