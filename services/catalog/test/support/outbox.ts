import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Database } from "@marquee/mesh";
import { type Envelope, EnvelopeSchema } from "@marquee/proto/marquee/events/v1/envelope_pb.js";

/** The envelopes in the outbox about `subject`, oldest first. */
export async function outboxOf(orm: Database, subject: string): Promise<Envelope[]> {
  const rows = await orm.em
    .fork()
    .execute<{ envelope: Buffer }[]>("select envelope from outbox where subject = ? order by seq", [subject]);
  return rows.map((row) => fromBinary(EnvelopeSchema, row.envelope));
}

/** The payload of an envelope, which must be of `schema`. */
export function payloadOf<D extends DescMessage>(envelope: Envelope, schema: D): MessageShape<D> {
  const payload = envelope.payload && anyUnpack(envelope.payload, schema);
  if (!payload) throw new Error(`envelope ${envelope.id} carries ${envelope.type}, not ${schema.typeName}`);
  return payload;
}
