/**
 * What `e2e/authorization.test.ts` builds on: the callers of the authorization matrix (real identity
 * accounts and a real partner client), the matrix's verdicts and table, the internal RPCs and how to call
 * them raw over each protocol, and the forged tokens of the attacks.
 */
export {
  type Account,
  accountPassword,
  as,
  type CallerName,
  callerNames,
  createPartner,
  devSigningKey,
  type Partner,
  signUp,
} from "./callers.js";
export { claimsOf, TokenForge, tampered } from "./forged-tokens.js";
export { emptyCall, type InternalRpc, internalRpcs } from "./internal-rpcs.js";
export {
  agrees,
  inBatches,
  type MatrixRow,
  matrixTable,
  type Outcome,
  outcomeOf,
  partnerScopesFor,
  shortName,
  type Verdict,
  verdictOf,
} from "./matrix.js";
