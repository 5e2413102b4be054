import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Jwk,
  JwkSchema,
  type PartnerClient,
  PartnerClientSchema,
  SocialLinkSchema,
  type TokenSet,
  TokenSetSchema,
  type User,
  UserSchema,
} from "@marquee/proto/marquee/identity/v1/resources_pb.js";
import type { JWK } from "jose";
import { rolesOf } from "../domain/roles.js";
import { socialProviderOf } from "../domain/social-providers.js";
import type { PartnerClientEntity } from "../entities/partner-client.js";
import type { SocialLinkEntity } from "../entities/social-link.js";
import type { UserEntity } from "../entities/user.js";
import type { AccessToken } from "../tokens/access-tokens.js";
import type { IssuedRefreshToken } from "./sessions.js";

/**
 * The one place rows become proto messages. A user's message is built field by field from what the
 * contract shows, so nothing secret (the password hash, sessions, link tokens) can ride along with a row.
 */
export function userMessage(row: UserEntity, links: readonly SocialLinkEntity[] = []): User {
  return create(UserSchema, {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    phoneNumber: row.phoneNumber,
    roles: rolesOf(row.roles),
    createTime: timestampFromDate(row.createTime),
    updateTime: timestampFromDate(row.updateTime),
    disabled: row.disableTime != null,
    ...(row.disableTime != null ? { disableTime: timestampFromDate(row.disableTime) } : {}),
    passwordSet: row.passwordHash != null,
    socialLinks: links.map((link) =>
      create(SocialLinkSchema, {
        provider: socialProviderOf(link.provider),
        subject: link.subject,
        email: link.email,
        linkTime: timestampFromDate(link.linkTime),
      }),
    ),
    ...(row.lastLoginTime != null ? { lastLoginTime: timestampFromDate(row.lastLoginTime) } : {}),
    emailVerified: row.emailVerifyTime != null,
    totpEnabled: row.totpEnableTime != null,
  });
}

/** A user's tokens, as the OAuth2 token response has them (RFC 6749 §5.1). */
export function tokenSetMessage(access: AccessToken, refresh: IssuedRefreshToken): TokenSet {
  return create(TokenSetSchema, {
    accessToken: access.token,
    tokenType: "Bearer",
    expireTime: timestampFromDate(access.expireTime),
    refreshToken: refresh.token,
    refreshExpireTime: timestampFromDate(refresh.expireTime),
    scope: "",
  });
}

/** A public key as GetJwks lists it: the JWK members the contract names, and never `d`. */
export function jwkMessage(key: JWK): Jwk {
  return create(JwkSchema, {
    kid: key.kid ?? "",
    kty: key.kty ?? "",
    crv: key.crv ?? "",
    x: key.x ?? "",
    y: key.y ?? "",
    alg: key.alg ?? "",
    use: key.use ?? "",
  });
}

/** A partner client as admins see it, field by field: never its secret or the secret's hash. */
export function partnerClientMessage(row: PartnerClientEntity): PartnerClient {
  return create(PartnerClientSchema, {
    clientId: row.clientId,
    displayName: row.displayName,
    scopes: [...row.scopes],
    contactEmail: row.contactEmail,
    secretHint: row.secretHint,
    creatorUserId: row.creatorUserId,
    createTime: timestampFromDate(row.createTime),
    ...(row.lastUseTime != null ? { lastUseTime: timestampFromDate(row.lastUseTime) } : {}),
    revoked: row.revokeTime != null,
    ...(row.revokeTime != null ? { revokeTime: timestampFromDate(row.revokeTime) } : {}),
  });
}

/** A partner client's tokens: an access token with its scopes, and no refresh token (RFC 6749 §4.4.3). */
export function clientTokenSetMessage(access: AccessToken, scopes: readonly string[]): TokenSet {
  return create(TokenSetSchema, {
    accessToken: access.token,
    tokenType: "Bearer",
    expireTime: timestampFromDate(access.expireTime),
    refreshToken: "",
    scope: scopes.join(" "),
  });
}
