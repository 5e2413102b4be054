import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { ProviderName } from "../domain/social-providers.js";
import { SocialFlowEntity } from "../entities/social-flow.js";
import { hashOfSecret, isSecretShaped, newSecret } from "./secrets.js";

/** What the callback of a flow needs, kept server-side: never in the browser. */
export interface FlowSecrets {
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** A flow just started: its state goes into the authorization URL, its key to the app. */
export interface StartedFlow {
  readonly state: string;
  readonly flowKey: string;
  readonly expireTime: Date;
}

/**
 * Records a flow's nonce and PKCE code verifier under a new state and flow key (256 random bits each).
 * Flows expired for more than a day are deleted on the way: a used or lapsed flow is worth nothing.
 */
export async function startFlow(
  em: EntityManager,
  provider: ProviderName,
  secrets: FlowSecrets,
  now: Date,
  ttlMs: number,
): Promise<StartedFlow> {
  await em.nativeDelete(SocialFlowEntity, { expireTime: { $lt: new Date(now.getTime() - 86_400_000) } });
  const state = newSecret();
  const flowKey = newSecret();
  const expireTime = new Date(now.getTime() + ttlMs);
  await em.insert(SocialFlowEntity, {
    id: randomUUID(),
    provider,
    stateHash: hashOfSecret(state),
    flowKeyHash: hashOfSecret(flowKey),
    nonce: secrets.nonce,
    codeVerifier: secrets.codeVerifier,
    createTime: now,
    expireTime,
    useTime: null,
  });
  return { state, flowKey, expireTime };
}

/** What presenting a callback's state and a flow key led to. */
export type FlowUse =
  | { readonly outcome: "used"; readonly secrets: FlowSecrets }
  /** No live flow of that provider has the state: unknown, expired, or used already. */
  | { readonly outcome: "unknown" }
  /** The flow is live but the key is not its own: left unused, for its rightful app. */
  | { readonly outcome: "wrong key" };

/**
 * Uses a flow once: its secrets when the state names a live flow of the provider and the key is that
 * flow's. The flow is marked used and its secrets blanked by one conditional update, so of two callbacks
 * racing with one state exactly one gets them. Commits at once, before the code is exchanged: a failed
 * exchange still spends the flow (the provider spends the code anyway).
 */
export async function useFlow(
  em: EntityManager,
  provider: ProviderName,
  state: string,
  flowKey: string,
  now: Date,
): Promise<FlowUse> {
  if (!isSecretShaped(state)) return { outcome: "unknown" };
  const flow = await em.findOne(SocialFlowEntity, {
    stateHash: hashOfSecret(state),
    provider,
    useTime: null,
    expireTime: { $gt: now },
  });
  if (flow === null) return { outcome: "unknown" };
  if (!isSecretShaped(flowKey) || hashOfSecret(flowKey) !== flow.flowKeyHash) return { outcome: "wrong key" };
  const used = await em.nativeUpdate(
    SocialFlowEntity,
    { id: flow.id, useTime: null },
    { useTime: now, nonce: "", codeVerifier: "" },
  );
  if (used !== 1) return { outcome: "unknown" };
  return { outcome: "used", secrets: { nonce: flow.nonce, codeVerifier: flow.codeVerifier } };
}
