import { LinkTokenEntity } from "./link-token.js";
import { MfaChallengeEntity } from "./mfa-challenge.js";
import { PartnerClientEntity } from "./partner-client.js";
import { RecoveryCodeEntity } from "./recovery-code.js";
import { RefreshTokenEntity } from "./refresh-token.js";
import { SessionEntity } from "./session.js";
import { SigningKeyEntity } from "./signing-key.js";
import { SocialFlowEntity } from "./social-flow.js";
import { SocialLinkEntity } from "./social-link.js";
import { ThrottleEventEntity } from "./throttle-event.js";
import { TotpFactorEntity } from "./totp-factor.js";
import { UserEntity } from "./user.js";

export {
  LinkTokenEntity,
  MfaChallengeEntity,
  PartnerClientEntity,
  RecoveryCodeEntity,
  RefreshTokenEntity,
  SessionEntity,
  SigningKeyEntity,
  SocialFlowEntity,
  SocialLinkEntity,
  ThrottleEventEntity,
  TotpFactorEntity,
  UserEntity,
};

/** Every entity of the identity service, for `openDatabase`. */
export const entities = [
  UserEntity,
  SessionEntity,
  RefreshTokenEntity,
  LinkTokenEntity,
  SigningKeyEntity,
  ThrottleEventEntity,
  TotpFactorEntity,
  RecoveryCodeEntity,
  MfaChallengeEntity,
  PartnerClientEntity,
  SocialLinkEntity,
  SocialFlowEntity,
];
