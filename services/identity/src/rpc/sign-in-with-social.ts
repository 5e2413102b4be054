import { defineRpc, failedPrecondition, invalidArgument, permissionDenied } from "@marquee/mesh";
import { IdentityService } from "@marquee/proto/marquee/identity/v1/identity_pb.js";
import { LockMode, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { clientIpOf } from "../domain/client-ip.js";
import { emailAddressOf, emailProblem } from "../domain/email-address.js";
import { UserEntity } from "../entities/user.js";
import type { Identity } from "../identity.js";
import { socialWelcomeMail } from "../mail/social-mails.js";
import { openSession } from "../sign-in.js";
import { checkProof } from "../social/proof-rules.js";
import { type ProviderAccount, providerAccountOf } from "../social/provider-account.js";
import { userMessage } from "../store/messages.js";
import { findLink, linkAccount, linksOf } from "../store/social-links.js";
import { findUser, insertNewUser } from "../store/users.js";
import { challengeAnswer, federatedOnly } from "../two-factor.js";
import { checkDisplayName } from "./request-rules.js";

/**
 * IdentityService.SignInWithSocial. The provider account is proved first (providerAccountOf: the flow's
 * callback completed at the provider, or an ID token checked against its keys); then, in one transaction:
 * - a linked provider account signs its user in;
 * - an unlinked one is linked by email only when both sides vouch for the address — the provider's
 *   `email_verified` and Marquee's own verification — so neither an address the provider merely passes
 *   on nor an account someone registered with another person's address (unverified) can be taken over;
 * - with no account of that address, one is made, verified (the provider vouched), without a password.
 * An unverified provider email is refused before any account is looked up, so it tells nothing either.
 * Account creation counts against REGISTRATIONS_PER_IP as Register does.
 *
 * The session says it came through a federated provider (`amr` ["fed"], not "pwd"). An existing account
 * with two-factor sign-in on gets no session yet: the provider is its first factor, and the answer is a
 * challenge as Login's, which CompleteLogin redeems with a code for a session saying ["fed", "otp"] — so a
 * provider account is no way around the second factor. A new account has none to ask for.
 */
export const signInWithSocial = defineRpc(IdentityService.method.signInWithSocial, {
  rules(request, check) {
    checkProof(check, request);
    if (request.displayName !== "") checkDisplayName(check, "display_name", request.displayName);
  },
  handler(identity: Identity) {
    return async (request, call) => {
      const account = await providerAccountOf(identity, request);
      const ip = clientIpOf(call);
      const signIn = () =>
        identity.orm.em.fork().transactional((em) => signInOrCreate(identity, em, account, request.displayName, ip));
      let outcome: Awaited<ReturnType<typeof signInOrCreate>>;
      try {
        outcome = await signIn();
      } catch (error) {
        // Two first sign-ins of one provider account racing (a double click): one made the account and
        // the link, the other's insert failed; once more, it finds them and signs in.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        outcome = await signIn();
      }
      if ("mfaChallenge" in outcome) return outcome;
      const { user, links, tokens, isCreated } = outcome;
      if (isCreated) identity.mailer.send(socialWelcomeMail(user, account.provider, identity.appUrl));
      return { user: userMessage(user, links), tokens, userCreated: isCreated };
    };
  },
});

async function signInOrCreate(
  identity: Identity,
  em: EntityManager,
  account: ProviderAccount,
  displayName: string,
  ip: string | undefined,
) {
  const now = new Date();
  const signInto = async (found: UserEntity, isCreated: boolean) => {
    // As Login does: no session before the code, and the sign-in time is set by CompleteLogin.
    if (found.totpEnableTime != null) return await challengeAnswer(identity, em, found.id, federatedOnly, now);
    if (!isCreated) await em.nativeUpdate(UserEntity, { id: found.id }, { lastLoginTime: now });
    const user = { ...found, lastLoginTime: now };
    const tokens = await openSession(identity, em, user, now, federatedOnly);
    return { user, links: await linksOf(em, user.id), tokens, isCreated };
  };

  const link = await findLink(em, account.provider, account.subject);
  if (link !== null) {
    const linked = await findUser(em, link.userId, true);
    if (linked === null) throw new Error(`social link ${link.id} has no user`);
    if (linked.disableTime != null) throw permissionDenied("the account is disabled");
    return await signInto(linked, false);
  }

  if (account.email === "" || !account.isEmailVerified) {
    throw invalidArgument(
      account.field,
      "the provider reports no verified email address for this account, so it can neither sign in to an account nor create one",
    );
  }
  const problem = emailProblem(account.email);
  if (problem !== undefined) throw invalidArgument(account.field, `the provider's email address ${problem}`);
  const { address, key } = emailAddressOf(account.email);
  const existing = await em.findOne(UserEntity, { emailKey: key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (existing !== null) {
    if (existing.emailVerifyTime == null) {
      throw failedPrecondition(
        "an account with this email address exists but has not verified it: sign in with its password, then link the provider with LinkSocialAccount",
      );
    }
    if (existing.disableTime != null) throw permissionDenied("the account is disabled");
    if ((await linksOf(em, existing.id)).some((other) => other.provider === account.provider)) {
      throw failedPrecondition("the account with this email address is linked to another account of this provider");
    }
    await linkAccount(em, existing.id, { ...account, email: account.email }, now);
    return await signInto(existing, false);
  }

  if (ip !== undefined) {
    const limit = { key: `ip:${ip}`, max: identity.limits.registrationsPerIp };
    await identity.throttle.check("REGISTRATION", [limit], now);
    await identity.throttle.record("REGISTRATION", [limit.key], now);
  }
  const user = await insertNewUser(
    em,
    {
      email: address,
      emailKey: key,
      displayName: nameFor(displayName, account, address),
      passwordHash: null,
      emailVerifyTime: now,
    },
    now,
  );
  await linkAccount(em, user.id, account, now);
  return await signInto(user, true);
}

/** The new account's name: the request's, else the token's `name`, else the address before "@". */
function nameFor(requested: string, account: ProviderAccount, address: string): string {
  const cleaned = (text: string) => [...text.replace(/\p{Cc}/gu, " ").trim()].slice(0, 100).join("").trim();
  return (
    cleaned(requested) || cleaned(account.name) || cleaned(address.slice(0, address.lastIndexOf("@"))) || "Marquee user"
  );
}
